/** Procfiles: `name: command` lines, each a background task run in the folder of the file. */
import { dirname } from 'node:path';
import { usageError } from '../../errors.js';
import { ID_LIKE_NAME, looksLikeTaskId, TASK_NAME } from '../normalize.js';
import { defaultEnvName, plainTask, type EnvSpec, type EnvTaskDecl, type LoadOptions } from './spec.js';

export function parseProcfile(file: string, text: string, options: LoadOptions = {}): EnvSpec {
  const tasks: EnvTaskDecl[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const m = /^([A-Za-z0-9_.-]+):\s*(.+)$/.exec(line);
    if (!m) throw usageError(`${file}:${i + 1}:1: a Procfile line is "name: command"`);
    const name = m[1]!;
    if (!TASK_NAME.test(name)) throw usageError(`${file}:${i + 1}:1: "${name}" is not a task name (it starts with a letter)`);
    if (looksLikeTaskId(name)) throw usageError(`${file}:${i + 1}:1: "${name}": ${ID_LIKE_NAME}`);
    if (seen.has(name)) throw usageError(`${file}:${i + 1}:1: "${name}" is defined twice`);
    seen.add(name);
    tasks.push(plainTask(name, m[2]!.trim(), dirname(file)));
  });
  if (tasks.length === 0) throw usageError(`${file}:1:1: the Procfile has no processes`);
  return { name: options.name ?? defaultEnvName(file), file, tasks };
}
