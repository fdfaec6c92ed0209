/** Procfiles: each process a long-running task; Heroku's `release` process a step the others wait for. */
import { join } from 'node:path';
import { readText, taskName } from './files.js';
import { findPort, serverHealth } from './ports.js';
import type { Detection, InitTask } from './types.js';

export function detectProcfile(dir: string): Detection | null {
  const text = readText(join(dir, 'Procfile'));
  if (text === null) return null;
  const tasks: InitTask[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_.-]+):\s*(.+)$/.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const [, process, command] = m as unknown as [string, string, string];
    if (process === 'release') {
      tasks.push({ name: 'release', command: command.trim(), background: false, why: 'Procfile process "release": a step run before the others, which wait for it to succeed' });
      continue;
    }
    const { health, why } = serverHealth(findPort(dir, command));
    // A worker or a clock serves nothing: it is ready once started.
    const serves = !/^(worker|clock|scheduler|jobs?|queue)/.test(process);
    tasks.push({
      name: taskName(process),
      command: command.trim(),
      background: true,
      ...(serves ? { health } : {}),
      why: `Procfile process "${process}": long-running; ${serves ? why : 'a worker, ready once started'}`,
    });
  }
  const release = tasks.find((t) => !t.background);
  if (release) for (const t of tasks) if (t.background) t.depends_on = { [release.name]: 'succeeded' };
  return { source: 'Procfile', tasks, notes: [] };
}
