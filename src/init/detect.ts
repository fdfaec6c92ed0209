/**
 * Every detector, run on one folder. A project may be of several kinds (a Procfile beside a
 * package.json): their tasks are put together, a name taken twice renamed after its source,
 * and a command found twice written once.
 */
import { detectCargo } from './cargo.js';
import { detectCompose } from './compose-file.js';
import { detectDjango } from './django.js';
import { taskName } from './files.js';
import { detectGo } from './go.js';
import { detectPackageJson } from './package-json.js';
import { detectProcfile } from './procfile.js';
import { detectPythonApp } from './python-app.js';
import { detectRails } from './rails.js';
import type { Detection, Detector, InitTask } from './types.js';

/** A project's own list of processes (compose, Procfile) first: it says what the project runs. */
const DETECTORS: Detector[] = [detectCompose, detectProcfile, detectPackageJson, detectDjango, detectRails, detectPythonApp, detectGo, detectCargo];

export interface Findings {
  detections: Detection[];
  tasks: InitTask[];
}

/** `npm start` and `npm run start` are one command (a Procfile often writes the first, init the second). */
function sameCommand(a: string, b: string): boolean {
  const plain = (c: string) => c.trim().replace(/\s+/g, ' ').replace(/^(npm|pnpm|yarn|bun) run /, '$1 ');
  return plain(a) === plain(b);
}

export function detectProject(dir: string): Findings {
  const detections = DETECTORS.map((detect) => detect(dir)).filter((d): d is Detection => d !== null);
  const tasks: InitTask[] = [];
  for (const detection of detections) {
    const renamed = new Map<string, string>();
    for (const task of detection.tasks) {
      const same = tasks.find((t) => sameCommand(t.command, task.command) && (t.cwd ?? '') === (task.cwd ?? ''));
      if (same) {
        detection.notes.push(`"${task.command}": already written as task "${same.name}"`);
        renamed.set(task.name, same.name);
        continue;
      }
      if (tasks.some((t) => t.name === task.name)) {
        const name = taskName(`${detection.source.split(/[ .(]/)[0]!.toLowerCase()}-${task.name}`);
        renamed.set(task.name, name);
        task.name = name;
      }
      tasks.push(task);
    }
    // Dependencies follow their renamed (or merged) tasks.
    for (const task of detection.tasks) {
      if (!task.depends_on) continue;
      task.depends_on = Object.fromEntries(Object.entries(task.depends_on).map(([on, condition]) => [renamed.get(on) ?? on, condition]));
    }
  }
  return { detections, tasks };
}
