/**
 * Env-file templates for common stacks: the commented files in the package's `templates/`
 * folder. A template's first comment line is its one-line description.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suggestion } from '../../machines/policies/dependencies.js';
import { usageError } from '../errors.js';

/** The package's templates/ folder: two levels up from src/init, three from dist/src/init. */
export function templatesDir(): string {
  for (const up of ['../../templates', '../../../templates']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(join(dir, 'node-vite.yaml'))) return dir;
  }
  throw new Error('the templates folder of corral is missing from its package');
}

export interface Template {
  name: string;
  description: string;
  file: string;
}

export function listTemplates(): Template[] {
  const dir = templatesDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const first = readFileSync(file, 'utf8').split('\n')[0] ?? '';
      return { name: f.replace(/\.yaml$/, ''), description: first.replace(/^#\s*/, ''), file };
    });
}

/** The template called `name`, or a usage error naming the ones there are. */
export function findTemplate(name: string): Template {
  const all = listTemplates();
  const found = all.find((t) => t.name === name);
  if (!found) {
    const names = all.map((t) => t.name);
    throw usageError(`no template "${name}"${suggestion(name, names)} (there are: ${names.join(', ')}; \`corral templates\` describes them)`);
  }
  return found;
}

/** The template's text for a project: its environment renamed after the project. */
export function templateText(template: Template, envName: string): string {
  return readFileSync(template.file, "utf8").replace(/^name: .*$/m, `name: ${envName}`).replaceAll("corral orchestrate app ", `corral orchestrate ${envName} `);
}
