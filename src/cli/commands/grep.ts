/**
 * `corral grep`: the lines of the tasks' logs that a regex matches, each as
 * `id:offset: line` (`id:stream:offset: line` for a task with both logs). The tasks come
 * from the daemon; their log files are searched here, read once each, as `logs` pages are.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isFinal } from '../../../machines/task.types.js';
import { usageError } from '../../errors.js';
import { taskLogDir } from '../../home.js';
import { grepLog } from '../../logs/grep.js';
import { parseTimePoint } from '../../../machines/time-point.js';
import type { Context } from '../context.js';
import { sinceOffset, tasksOf } from '../task-set.js';

interface GrepFlags {
  env?: string;
  since?: string;
}

function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw usageError(`the regex /${pattern}/ is not valid: ${(e as Error).message.split(': ').pop()}`);
  }
}

export async function grep(ctx: Context, pattern: string, ids: string[], flags: GrepFlags): Promise<number> {
  const filter = compile(pattern);
  const since = flags.since !== undefined ? new Date(parseTimePoint(flags.since, Date.now())).toISOString() : undefined;
  const api = await ctx.api();
  const tasks = await tasksOf(api, ids, flags.env);
  let matched = 0;
  const out: string[] = [];
  const flush = () => {
    if (out.length > 0) process.stdout.write(out.join(''));
    out.length = 0;
  };
  for (const task of tasks) {
    const dir = taskLogDir(ctx.paths, task.id);
    // stderr.log exists unless stderr goes into stdout.log: then the stream needs no name.
    const two = existsSync(join(dir, 'stderr.log'));
    for (const stream of ['stdout', 'stderr'] as const) {
      const path = join(dir, `${stream}.log`);
      if (!existsSync(path)) continue;
      const from = await sinceOffset(api, task.id, stream, since);
      const label = two ? `${task.id}:${stream}` : task.id;
      matched += grepLog(path, filter, { from, growing: !isFinal(task.status) }, (at, line) => {
        out.push(ctx.json ? `${JSON.stringify({ id: task.id, stream, offset: at, line })}\n` : `${label}:${at}: ${line}\n`);
        if (out.length >= 4096) flush();
      });
      flush();
    }
  }
  return matched > 0 ? 0 : 1;
}
