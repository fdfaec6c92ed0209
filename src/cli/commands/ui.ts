/** `corral ui`: the interactive task manager (ink and react load only here). */
import { usageError } from '../../errors.js';
import type { Context } from '../context.js';

export async function ui(ctx: Context): Promise<number> {
  if (ctx.json) throw usageError('corral ui is interactive: it has no --json output (use corral ls --json)');
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw usageError('corral ui needs a terminal: run it with stdin and stdout on a TTY');
  const api = await ctx.api();
  const { loadUi } = await import('../../ui/load.js');
  const { runUi } = await loadUi();
  await runUi(api, { home: ctx.paths.home });
  return 0;
}
