/**
 * `corral hook claude-session-end`: a Claude Code SessionEnd hook. The tasks the session
 * started are stopped, whole trees and in order, except those kept (`--keep`, MCP
 * `keep: true`) and all of them when the config says `sessionEnd: "keep"`; env-file tasks
 * belong to no session and stay. Claude Code gives this hook little time as it exits, so
 * the daemon is handed the stops and carries them out after the hook has returned.
 */
import { existsSync } from 'node:fs';
import { loadSessionEnd } from '../../../exec/config.js';
import type { Context } from '../../context.js';
import { readSessionHookInput } from './input.js';

export async function claudeSessionEnd(ctx: Context): Promise<number> {
  try {
    const input = await readSessionHookInput();
    if (input.session === null) return 0;
    if (loadSessionEnd(input.cwd, ctx.paths.home) === 'keep') return 0;
    if (!existsSync(ctx.paths.state)) return 0;
    const stopping = await (await ctx.api()).endSession(input.session);
    if (stopping.length > 0) process.stderr.write(`corral: session ${input.session} ended: stopping ${stopping.map((t) => t.id).join(', ')}\n`);
  } catch (error) {
    process.stderr.write(`corral: claude-session-end: ${(error as Error)?.message ?? String(error)}\n`);
  }
  return 0;
}
