/**
 * Node projects: the scripts of package.json. Servers and watchers (`dev`, `start`, `api`,
 * `serve`, `watch`… or a script the auto-background patterns call a server) become
 * long-running tasks; `build`, `migrate` and `db:*` become one-shot steps the servers wait
 * for; the rest (tests, lint, format) is not part of running the project.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { classifyCommand } from '../../machines/policies/autobackground.js';
import { readJsonFile, taskName } from './files.js';
import { findPort, serverHealth } from './ports.js';
import type { Detection, InitTask } from './types.js';

const SERVER_NAMES = /^(dev|start|serve|server|api|web|watch|preview|worker|frontend|backend|client|app)$|^(dev|start|serve|watch)[:-]|[:-](dev|start|serve|server|watch|api|web|worker)$/;
/** Backing services the steps need (a migration needs its database): the steps wait for them. */
const SERVICE_NAMES = /^(db|database|redis|postgres|mysql|mongo|kv|queue|broker|cache)([:-]|$)/;
const STEP_NAMES = /^(build|migrate|seed|codegen|generate)$|^db[:-]|^(build|migrate|prisma)[:-]|[:-](migrate|seed)$/;
/** Scripts npm runs around others (`prebuild`, `postinstall`), never started by name. */
const LIFECYCLE = /^(pre|post)|^(install|prepare|prepublish|prepublishOnly|prepack|postpack)$/;

function runnerOf(dir: string): { run: (script: string) => string; name: string } {
  if (existsSync(join(dir, 'pnpm-lock.yaml'))) return { name: 'pnpm', run: (s) => `pnpm run ${s}` };
  if (existsSync(join(dir, 'yarn.lock'))) return { name: 'yarn', run: (s) => `yarn run ${s}` };
  if (existsSync(join(dir, 'bun.lockb')) || existsSync(join(dir, 'bun.lock'))) return { name: 'bun', run: (s) => `bun run ${s}` };
  return { name: 'npm', run: (s) => `npm run ${s}` };
}

export function detectPackageJson(dir: string): Detection | null {
  const pkg = readJsonFile(join(dir, 'package.json')) as { scripts?: Record<string, unknown> } | null;
  if (!pkg || typeof pkg !== 'object') return null;
  const scripts = Object.entries(pkg.scripts ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  const runner = runnerOf(dir);
  const source = `package.json (${runner.name})`;
  const notes: string[] = [];
  const steps: InitTask[] = [];
  const servers: InitTask[] = [];
  const services: InitTask[] = [];
  const names = new Set(scripts.map(([name]) => name));
  for (const [script, body] of scripts) {
    if (LIFECYCLE.test(script)) continue;
    const quoted = `script "${script}"`;
    if (STEP_NAMES.test(script) && !/--watch|\s-w(\s|$)/.test(body)) {
      // A dev server builds what it serves itself: building first would only add time.
      if (script === 'build' && names.has('dev')) {
        notes.push(`${quoted}: left out, "dev" serves the project without a build`);
        continue;
      }
      steps.push({ name: taskName(script), command: runner.run(script), background: false, why: `${source} ${quoted} (${body}): a one-shot step; the servers wait for it to succeed` });
      continue;
    }
    const looksLikeServer = classifyCommand(body).background;
    if (SERVICE_NAMES.test(script)) {
      const { health, why } = serverHealth(findPort(dir, body));
      services.push({ name: taskName(script), command: runner.run(script), background: true, health, why: `${source} ${quoted} (${body}): a backing service, started first; the steps wait for it. ${capitalized(why)}` });
      continue;
    }
    if (!SERVER_NAMES.test(script) && !looksLikeServer) {
      notes.push(`${quoted}: left out, not needed to run the project`);
      continue;
    }
    // `start` and `preview` serve a production build, on the port `dev` uses: one of them is enough.
    if ((script === 'start' || script === 'preview') && names.has('dev')) {
      notes.push(`${quoted}: left out, "dev" runs the project in development (add it by hand for the built one)`);
      continue;
    }
    const { health, why } = serverHealth(findPort(dir, body));
    servers.push({ name: taskName(script), command: runner.run(script), background: true, health, why: `${source} ${quoted} (${body}): long-running; ${why}` });
  }
  if (steps.length === 0 && servers.length === 0 && services.length === 0) {
    return scripts.length === 0 ? null : { source, tasks: [], notes };
  }
  // Services first (healthy: each has a check), then the steps in order, then the servers.
  const ready = Object.fromEntries(services.map((s) => [s.name, 'healthy' as const]));
  chainSteps(steps);
  if (steps[0] && services.length > 0) steps[0].depends_on = ready;
  const before = steps.length > 0 ? Object.fromEntries(steps.map((s) => [s.name, 'succeeded' as const])) : ready;
  for (const server of servers) if (Object.keys(before).length > 0) server.depends_on = before;
  return { source, tasks: [...services, ...steps, ...servers], notes };
}

/** Steps run in the order they are written, each after the one before it succeeded. */
export function chainSteps(steps: InitTask[]): void {
  steps.forEach((step, i) => {
    if (i > 0) step.depends_on = { ...step.depends_on, [steps[i - 1]!.name]: 'succeeded' };
  });
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
