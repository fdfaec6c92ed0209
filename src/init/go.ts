/** Go modules: each main package (the root, `cmd/*`) a task run by `go run`, after a `go build` step. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { filesWith, readText, taskName } from './files.js';
import { programHealth } from './ports.js';
import type { Detection, InitTask } from './types.js';

/** The text of a folder's .go files when it is a main package, else null. */
function mainPackage(dir: string): string | null {
  const sources = filesWith(dir, ['.go']).filter((f) => !f.endsWith('_test.go')).map((f) => readText(join(dir, f)) ?? '');
  return sources.some((text) => /^package main\b/m.test(text)) ? sources.join('\n') : null;
}

export function detectGo(dir: string): Detection | null {
  const mod = readText(join(dir, 'go.mod'));
  if (mod === null) return null;
  const module = /^module\s+(\S+)/m.exec(mod)?.[1] ?? 'app';
  const mains: { name: string; path: string; source: string }[] = [];
  const root = mainPackage(dir);
  if (root !== null) mains.push({ name: module.split('/').at(-1)!, path: '.', source: root });
  let commands: string[] = [];
  try {
    commands = readdirSync(join(dir, 'cmd')).sort();
  } catch {
    commands = [];
  }
  for (const command of commands) {
    const source = mainPackage(join(dir, 'cmd', command));
    if (source !== null) mains.push({ name: command, path: `./cmd/${command}`, source });
  }
  if (mains.length === 0) return { source: 'go.mod', tasks: [], notes: ['go.mod: no main package (the root or cmd/*): nothing to run'] };
  const build: InitTask = { name: 'build', command: 'go build ./...', background: false, why: 'go.mod: compiling is a step, so the servers\' health checks do not wait out a build' };
  const tasks = mains.map((main): InitTask => {
    const { health, why } = programHealth(main.source, `${main.path}/*.go`);
    return { name: taskName(main.name), command: `go run ${main.path}`, background: true, depends_on: { build: 'succeeded' }, ...(health ? { health } : {}), why: `go.mod main package ${main.path}; ${why}` };
  });
  return { source: 'go.mod', tasks: [build, ...tasks], notes: [] };
}
