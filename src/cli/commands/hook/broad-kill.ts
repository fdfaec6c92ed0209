/**
 * The PreToolUse hook's answer to a broad kill (machines/policies/broad-kill.ts): the
 * processes it would reach are found as pkill, killall, lsof or fuser would find them;
 * when they are corral tasks only, the command becomes `corral kill` of exactly those
 * tasks (whole trees); when some are outside corral, the user is asked, and told which.
 * A command that reaches nothing gets no answer: it goes on unchanged.
 */
import { judgeBroadKill, reachesProcess, recognizeBroadKill, type KillReach, type Reached } from '../../../../machines/policies/broad-kill.js';
import { qualifiedName } from '../../../../machines/policies/names.js';
import { shellQuote } from '../../../../machines/shell-words.js';
import type { TaskOwner } from '../../../api.js';
import { readCmdline, readComm, readStat, readUid, scanProcesses } from '../../../process/procfs.js';
import type { Context } from '../../context.js';
import { holderText, holdersOf, pidsOnPort } from '../../../process/holders.js';
import { selfCommand } from './self.js';

interface ToolCall {
  tool_name?: unknown;
  tool_input?: { command?: unknown; [key: string]: unknown };
}

/** This hook and the shell that runs it: they match `pkill -f node` now, and will be gone when the command runs. */
function hookProcesses(): Set<number> {
  const own = new Set([process.pid]);
  for (let pid = process.ppid; pid > 1; ) {
    if (!(readCmdline(pid) ?? []).join(' ').includes('claude-pre-tool-use')) break;
    own.add(pid);
    pid = readStat(pid)?.ppid ?? 0;
  }
  return own;
}

/** The pids the kill would reach: those it may signal (this user's, unless root), not the hook's own. */
function reachedPids(reach: KillReach): number[] {
  const uid = process.getuid?.() ?? 0;
  const mine = (pid: number) => uid === 0 || readUid(pid) === uid;
  const own = hookProcesses();
  if (reach.kind === 'port') return pidsOnPort(reach.port, reach.scope, reach.protocols).filter((pid) => mine(pid) && !own.has(pid));
  return scanProcesses(0, false)
    .filter((p) => !own.has(p.pid) && mine(p.pid))
    .filter((p) => reachesProcess(reach, { comm: readComm(p.pid) ?? '', args: readCmdline(p.pid) ?? [] }))
    .map((p) => p.pid);
}

const taskText = (t: TaskOwner) => {
  const name = qualifiedName(t);
  return name === null ? t.id : `${t.id} (${name})`;
};

/** `a`, `a and b`, `a, b and c`. */
const listText = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

const SHOWN = 5;

export async function answerBroadKill(ctx: Context, input: ToolCall, allow: boolean): Promise<object | null> {
  if (input.tool_name !== 'Bash' || !input.tool_input || typeof input.tool_input.command !== 'string') return null;
  const kill = recognizeBroadKill(input.tool_input.command);
  if (!kill) return null;
  const pids = reachedPids(kill.reach);
  if (pids.length === 0) return null;
  const holders = await holdersOf(await ctx.api(), pids);
  const verdict = judgeBroadKill(holders satisfies Reached[]);
  if (verdict.kind === 'none') return null;
  const tasks = [...new Map(holders.flatMap((h) => (h.task ? [[h.task.id, h.task] as const] : []))).values()];
  const killTasks = `${selfCommand()} --home ${shellQuote(ctx.paths.home)} kill ${verdict.ids.join(' ')}`;
  if (verdict.kind === 'tasks') {
    return {
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: allow ? 'allow' : 'ask',
        permissionDecisionReason: `corral stops ${listText(tasks.map(taskText))} instead, ${tasks.length === 1 ? 'the corral task this command would reach (its whole tree' : 'the corral tasks this command would reach (their whole trees'}, nothing else): \`corral kill ${verdict.ids.join(' ')}\``,
        updatedInput: { ...input.tool_input, command: killTasks },
      },
    };
  }
  const named = verdict.outside.slice(0, SHOWN).map((h) => holderText(h));
  if (verdict.outside.length > SHOWN) named.push(`${verdict.outside.length - SHOWN} more`);
  const ours = tasks.length > 0 ? `; of corral's tasks it would reach ${listText(tasks.map(taskText))}, which \`corral kill ${verdict.ids.join(' ')}\` stops alone` : '';
  return {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'ask',
      permissionDecisionReason: `this command would also signal processes outside corral: ${listText(named)}${ours}`,
    },
  };
}
