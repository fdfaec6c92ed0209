/**
 * docker-compose.yml / compose.yaml: services that run a command of their own become tasks
 * run on this machine (in their build folder), with their environment, dependencies and
 * health checks. Services that are only an image are containers, for docker compose to run:
 * they are left out, and so are the dependencies on them.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { quoteWords } from '../../machines/shell-words.js';
import { firstExisting, readText, taskName } from './files.js';
import { portInCommand, serverHealth } from './ports.js';
import type { Detection, InitCondition, InitHealth, InitTask } from './types.js';

const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

interface Service {
  image?: unknown;
  build?: unknown;
  command?: unknown;
  working_dir?: unknown;
  environment?: unknown;
  depends_on?: unknown;
  healthcheck?: { test?: unknown; disable?: unknown };
  ports?: unknown;
  restart?: unknown;
}

const CONDITIONS: Record<string, InitCondition> = {
  service_started: 'started',
  service_healthy: 'healthy',
  service_completed_successfully: 'succeeded',
};

function commandOf(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (Array.isArray(value) && value.length > 0 && value.every((w) => typeof w === 'string')) return quoteWords(value as string[]);
  return null;
}

function environmentOf(value: unknown): Record<string, string> | undefined {
  const env: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const m = typeof item === 'string' ? /^([^=]+)=(.*)$/.exec(item) : null;
      if (m) env[m[1]!] = m[2]!;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) env[k] = String(v);
  }
  return Object.keys(env).length > 0 ? env : undefined;
}

/** `["CMD", "curl", "-f", URL]` → `curl -f URL`; `["CMD-SHELL", "pg_isready"]` → `pg_isready`. */
function healthcheckOf(check: Service['healthcheck']): string | null {
  if (!check || check.disable === true) return null;
  const test = check.test;
  if (typeof test === 'string') return test.trim() || null;
  if (!Array.isArray(test) || test.length < 2) return null;
  if (test[0] === 'CMD-SHELL') return typeof test[1] === 'string' ? test[1] : null;
  if (test[0] === 'CMD') return commandOf(test.slice(1));
  return null;
}

/** The host side of the first published port: `"127.0.0.1:8000:8000"` → 8000, `{published: 8000}` → 8000. */
function publishedPort(ports: unknown): number | null {
  if (!Array.isArray(ports)) return null;
  for (const entry of ports) {
    if (entry && typeof entry === 'object' && 'published' in entry) return Number((entry as { published: unknown }).published) || null;
    const parts = String(entry).split('/')[0]!.split(':');
    if (parts.length >= 2) return Number(parts.at(-2)) || null;
    return Number(parts[0]) || null;
  }
  return null;
}

function dependenciesOf(value: unknown): [string, InitCondition][] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').map((v) => [v, 'started']);
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([name, edge]) => [name, CONDITIONS[String((edge as { condition?: unknown })?.condition)] ?? 'started']);
  }
  return [];
}

export function detectCompose(dir: string): Detection | null {
  const file = firstExisting(dir, COMPOSE_FILES);
  if (!file) return null;
  let doc: { services?: Record<string, Service> } | null;
  try {
    doc = parse(readText(join(dir, file)) ?? '') as typeof doc;
  } catch (error) {
    return { source: file, tasks: [], notes: [`${file}: left out, not valid YAML (${(error as Error).message.split('\n')[0]})`] };
  }
  const services = Object.entries(doc?.services ?? {});
  const notes: string[] = [];
  const tasks = new Map<string, InitTask>();
  const names = new Map<string, string>();
  for (const [service, spec] of services) {
    const command = commandOf(spec?.command);
    if (!command) {
      notes.push(`service "${service}": left out, a container only (image ${typeof spec?.image === 'string' ? spec.image : 'built'}, no command): docker compose runs it`);
      continue;
    }
    const name = taskName(service);
    names.set(service, name);
    const context = typeof spec.build === 'string' ? spec.build : typeof (spec.build as { context?: unknown })?.context === 'string' ? (spec.build as { context: string }).context : undefined;
    const cwd = context && context !== '.' && context !== './' ? context.replace(/^\.\//, '').replace(/\/$/, '') : undefined;
    const env = environmentOf(spec.environment);
    const task: InitTask = { name, command, background: true, why: `${file} service "${service}"`, ...(cwd ? { cwd } : {}), ...(env ? { env } : {}) };
    const check = healthcheckOf(spec.healthcheck);
    const port = publishedPort(spec.ports) ?? portInCommand(command);
    if (check) {
      task.health = { exec: check } satisfies InitHealth;
      task.why += `; its healthcheck (${check}) is the health check`;
    } else {
      const { health, why } = serverHealth(port === null ? null : { port, where: publishedPort(spec.ports) !== null ? 'its ports' : 'the command' });
      task.health = health;
      task.why += `; ${why}`;
    }
    tasks.set(service, task);
  }
  // A service others wait on "completed successfully" is a one-shot step.
  for (const [service, spec] of services) {
    const task = tasks.get(service);
    if (!task) continue;
    const deps: Record<string, InitCondition> = {};
    for (const [on, condition] of dependenciesOf(spec.depends_on)) {
      const target = tasks.get(on);
      if (!target) {
        notes.push(`service "${service}" depends on "${on}": dropped, "${on}" is not run by corral`);
        continue;
      }
      if (condition === 'succeeded' && target.background) {
        target.background = false;
        delete target.health;
        target.why = `${file} service "${on}": a one-shot step (others wait for it to complete successfully)`;
      }
      deps[names.get(on)!] = condition;
    }
    if (Object.keys(deps).length > 0) task.depends_on = deps;
  }
  // A step has no health check to wait for: what waits on it waits for its success.
  const steps = new Set([...tasks.values()].filter((t) => !t.background).map((t) => t.name));
  for (const task of tasks.values()) {
    for (const on of Object.keys(task.depends_on ?? {})) if (steps.has(on)) task.depends_on![on] = 'succeeded';
  }
  return { source: file, tasks: [...tasks.values()], notes };
}
