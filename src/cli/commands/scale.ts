/** `scale api=3 [web=2 …] [--env E]`: how many copies of tasks with replicas run. */
import { parseScaleArguments, ScaleArgumentError } from '../../../machines/policies/replicas.js';
import type { TaskView } from '../../api.js';
import { usageError } from '../../errors.js';
import { taskLabel } from '../../text.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';

const describe = (t: TaskView) => `${taskLabel(t)} ${t.status}${t.reason ? `: ${t.reason}` : ''}`;

export async function scale(ctx: Context, targets: string[], flags: { env?: string }): Promise<number> {
  // Refused here too, before a daemon is started for nothing; the daemon checks the same way.
  try {
    parseScaleArguments(targets);
  } catch (error) {
    if (error instanceof ScaleArgumentError) throw usageError(error.message);
    throw error;
  }
  const result = await (await ctx.api()).scale({ targets, ...(flags.env !== undefined ? { env: flags.env } : {}) });
  if (ctx.json) printJson(result);
  else {
    for (const group of result.groups) {
      process.stdout.write(`${group.env}/${group.name}: ${group.replicas} replica${group.replicas === 1 ? '' : 's'}\n`);
      for (const t of group.tasks) process.stdout.write(`  ${describe(t)}\n`);
    }
  }
  return 0;
}
