/**
 * `corral hook claude-session-start`: a Claude Code SessionStart hook (startup, resume,
 * clear, compact). It tells the agent which tasks of its project are running or ended
 * lately — id, name, status, health, ports — and how to read what is new, so that after a
 * compaction or a resume it still knows its handles and starts nothing twice. It also
 * makes the session the default one of the agent's shell commands (CORRAL_SESSION, through
 * the file Claude Code gives for that). It never blocks a session: on any trouble it says
 * nothing on stdout.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { formatDuration } from '../../../../machines/duration.js';
import { qualifiedName } from '../../../../machines/policies/names.js';
import { shellQuote } from '../../../../machines/shell-words.js';
import { isFinal } from '../../../../machines/task.types.js';
import type { TaskView } from '../../../api.js';
import { projectOf } from '../../../project.js';
import type { Context } from '../../context.js';
import { readSessionHookInput } from './input.js';

/** Ended tasks are shown for this long after their end, the latest first, at most RECENT_MAX. */
const RECENT_MS = 60 * 60_000;
const RECENT_MAX = 10;

interface Listed {
  task: TaskView;
  ports: number[];
}

function line({ task: t, ports }: Listed, session: string | null, now: number): string {
  const name = qualifiedName(t);
  const facts: string[] = [];
  if (isFinal(t.status)) {
    facts.push(t.reason ? `${t.status}: ${t.reason}` : t.status);
    if (t.endedAt) facts.push(`ended ${formatDuration(Math.max(0, now - Date.parse(t.endedAt)))} ago`);
  } else {
    facts.push(t.status);
    if (t.health) facts.push(t.health);
    if (ports.length > 0) facts.push(`${ports.length === 1 ? 'port' : 'ports'} ${ports.join(', ')}`);
  }
  if (session !== null && t.session === session) facts.push('started in this session');
  if (t.keep) facts.push('kept after sessions');
  return `- ${t.id}${name ? ` (${name})` : ''}: ${facts.join(', ')}; ${t.command.length > 100 ? `${t.command.slice(0, 99)}…` : t.command}`;
}

/** How the agent makes its MCP tasks the session's: the MCP server cannot see the session id. */
const sessionLine = (session: string) =>
  `This Claude Code session is corral session ${session}: its tasks stop when it ends (give background_spawn session: "${session}", or keep: true for one that should stay).`;

/** The context the agent gets; null when there is nothing to tell. */
export function sessionContext(listed: Listed[], project: string, session: string | null, now = Date.now()): string | null {
  const live = listed.filter((l) => !isFinal(l.task.status));
  const ended = listed
    .filter((l) => isFinal(l.task.status) && l.task.endedAt !== null && now - Date.parse(l.task.endedAt) <= RECENT_MS)
    .sort((a, b) => Date.parse(b.task.endedAt!) - Date.parse(a.task.endedAt!))
    .slice(0, RECENT_MAX);
  const parts: string[] = [];
  if (live.length > 0 || ended.length > 0) {
    parts.push(`corral supervises background tasks of this project (${project}); they outlive compaction and sessions.`);
    if (live.length > 0) parts.push(`Live (use these ids; do not start them again):\n${live.map((l) => line(l, session, now)).join('\n')}`);
    if (ended.length > 0) parts.push(`Ended in the last hour:\n${ended.map((l) => line(l, session, now)).join('\n')}`);
    parts.push('Read what is new of one with `corral logs ID --new` (MCP: background_output), stop one with `corral kill ID`, list them with `corral ls --project .`.');
  }
  if (session !== null) parts.push(sessionLine(session));
  return parts.length > 0 ? parts.join('\n') : null;
}

export async function claudeSessionStart(ctx: Context): Promise<number> {
  try {
    const input = await readSessionHookInput();
    // Claude Code sources this file before each shell command of the session: plain
    // `corral run` calls then belong to the session too.
    const envFile = process.env.CLAUDE_ENV_FILE;
    if (input.session !== null && envFile) appendFileSync(envFile, `export CORRAL_SESSION=${shellQuote(input.session)}\n`);
    const project = projectOf(input.cwd);
    const listed: Listed[] = [];
    // A home that never ran a task has none to tell of: no daemon is started for it.
    if (existsSync(ctx.paths.state)) {
      const api = await ctx.api();
      for (const task of await api.list({ project })) {
        const ports = task.status === 'running' ? await api.describe(task.id).then((d) => d.ports, () => []) : [];
        listed.push({ task, ports });
      }
    }
    const context = sessionContext(listed, project, input.session);
    if (context !== null) process.stdout.write(`${JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: context } })}\n`);
  } catch (error) {
    process.stderr.write(`corral: claude-session-start: ${(error as Error)?.message ?? String(error)}\n`);
  }
  return 0;
}
