/** Pieces several tools share: argument schemas, durations, progress while waiting, task summaries. */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { TaskView } from '../../api.js';
import { uptimeMs } from '../../text.js';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A duration: seconds, or a string such as "500ms" or "2m" (the server's instructions say so once for every tool). */
export const durationArg = (what: string) => z.union([z.number(), z.string()]).describe(what);

/** A task as a call names it: its id, name or env/name (the instructions say so once). */
export const taskArg = () => z.string().describe('task');
/** One task or a list of them. */
export const tasksArg = () => z.union([z.string(), z.array(z.string())]).describe('task or list');


/**
 * Sends MCP progress notifications while a long call waits, when the client asked for
 * them (a progress token): clients that reset their timeout on progress then let the
 * wait run its course. Returns the function that stops them.
 */
export function heartbeat(extra: Extra, message: () => string, everyMs = 2_000): () => void {
  const token = extra._meta?.progressToken;
  if (token === undefined) return () => {};
  let progress = 0;
  const timer = setInterval(() => {
    progress++;
    extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message: message() } })
      .catch(() => {});
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** A task, compact, as reply data. */
export const taskSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  env: z.string().nullable(),
  status: z.string(),
  reason: z.string().nullable(),
  health: z.string().nullable(),
  pid: z.number().nullable(),
  exit_code: z.number().nullable(),
  signal: z.string().nullable(),
  uptime_ms: z.number().nullable(),
  restarts: z.number(),
  command: z.string(),
});
type TaskSummary = z.infer<typeof taskSummarySchema>;

export function taskSummary(t: TaskView): TaskSummary {
  return {
    id: t.id,
    name: t.name,
    env: t.env,
    status: t.status,
    reason: t.reason,
    health: t.healthReason ?? t.health,
    pid: t.pid,
    exit_code: t.exitCode,
    signal: t.signal,
    uptime_ms: uptimeMs(t),
    restarts: t.restarts,
    command: t.command,
  };
}
