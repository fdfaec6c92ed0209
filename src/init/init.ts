/**
 * `corral init`: find what the project runs and write it as a corral.yaml. The text is
 * checked by the env-file reader before it is written, so what `init` writes always loads;
 * an existing file is never replaced without `force`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { TASK_NAME, TASK_NAME_RULE } from '../../machines/policies/names.js';
import { parseEnvYaml } from '../config/envfile/document.js';
import { failure, usageError } from '../errors.js';
import { detectProject } from './detect.js';
import { taskName } from './files.js';
import type { Detection, InitTask } from './types.js';
import { findTemplate, templateText, type Template } from './templates.js';
import { envFileText } from './writer.js';

export interface InitOptions {
  dir: string;
  /** The file to write, relative to `dir` (default corral.yaml). */
  file?: string;
  force?: boolean;
  name?: string;
  /** Write this template (templates/NAME.yaml) instead of what the project holds. */
  template?: string;
}

export interface InitResult {
  file: string;
  name: string;
  tasks: InitTask[];
  detections: Detection[];
  /** Set when a template was written. */
  template?: Template;
}

/** Refuses to replace an env file unless told to: it may hold work of the user's. */
export function targetFile(dir: string, file: string | undefined, force: boolean | undefined): string {
  const path = resolve(dir, file ?? 'corral.yaml');
  const existing = file === undefined ? ['corral.yaml', 'corral.yml'].map((n) => join(dir, n)).find(existsSync) : existsSync(path) ? path : undefined;
  if (existing && !force) throw usageError(`${existing} already exists: corral init --force replaces it`);
  return path;
}

/** The text checked as the env-file reader reads it: a fault here is corral's, not the user's. */
export function checkedText(path: string, text: string): string {
  try {
    parseEnvYaml(path, text, { callerEnv: process.env });
  } catch (error) {
    throw failure(`corral init wrote a file that does not load (${(error as Error).message}); please report it`);
  }
  return text;
}

export function initProject(options: InitOptions): InitResult {
  const dir = resolve(options.dir);
  const path = targetFile(dir, options.file, options.force);
  if (options.name !== undefined && !TASK_NAME.test(options.name)) throw usageError(`--name: "${options.name}" is not an environment name: ${TASK_NAME_RULE}`);
  const name = options.name ?? taskName(basename(dir));
  if (options.template !== undefined) {
    const template = findTemplate(options.template);
    writeFileSync(path, checkedText(path, templateText(template, name)));
    return { file: path, name, tasks: [], detections: [], template };
  }
  const { detections, tasks } = detectProject(dir);
  if (tasks.length === 0) {
    const seen = detections.flatMap((d) => d.notes);
    throw failure(
      `found nothing to run in ${dir}${seen.length > 0 ? ` (${seen.join('; ')})` : ''}: corral init looks for package.json scripts, a compose file, a Procfile, Django, Rails, go.mod, Cargo.toml and uvicorn/flask apps; \`corral templates\` lists starting points (corral init --template NAME)`,
    );
  }
  const sources = detections.filter((d) => d.tasks.length > 0).map((d) => d.source);
  writeFileSync(path, checkedText(path, envFileText(name, tasks, sources)));
  return { file: path, name, tasks, detections };
}
