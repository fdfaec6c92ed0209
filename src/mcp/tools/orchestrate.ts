/** background_orchestrate: brings up a whole environment (an env file, or inline tasks) and reports each task. */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { EnvReport, InlineTask, OrchestrateInput, TaskView } from '../../api.js';
import { counted } from '../../../machines/counted.js';
import { DEPENDENCY_CONDITIONS } from '../../../machines/policies/dependencies.js';
import { formatDuration } from '../../../machines/duration.js';
import { culpritText, removedText, taskLabel } from '../../text.js';
import type { McpContext } from '../context.js';
import { argumentError, toolError } from '../errors.js';
import { durationOption } from '../../config/control.js';
import { statusText } from '../format.js';
import { durationArg, heartbeat, taskSummary, taskSummarySchema, type Extra } from './shared.js';

/** Longer than a single spawn's: an environment starts in steps. Still under a client's usual 60 s. */
const DEFAULT_ENV_WAIT_MS = 45_000;
const DEFAULT_FILES = ['corral.yaml', 'corral.yml', 'Procfile'];
const DEFAULT_INLINE_NAME = 'dev';

const DESCRIPTION = `Bring up a whole environment in the background in one call — e.g. database, API and front end — each task starting once what it depends on is ready, then (wait_healthy, default true) wait until every task is healthy (or running, when it has no health check) and every one-shot step succeeded.
Give either:
- file: an env file (corral.yaml with tasks:, a workflow with steps:, or a Procfile), absolute or relative to this server's folder; without file and tasks, ./corral.yaml, ./corral.yml or ./Procfile is used;
- tasks: inline, [{name, command, depends_on: ["db"], health: "tcp:5432" | "http://127.0.0.1:3000/health" | "log:ready"}] — depends_on as in a file: a name waits until that task is healthy (if it has a check) or started; {name, condition} picks the condition; health makes the task's readiness (and wait_healthy) mean that check passes.
name names the environment (default: the file's name:, or "${DEFAULT_INLINE_NAME}" for inline tasks); the same environment already up is left as it is (nothing starts again); a different one under that name must be stopped first (background_kill with env).
timeout (default 45s) bounds the wait; on a timeout or a failure you get the task at fault, why, and its last lines, and the tasks keep running as they are.
Returns each task's id, name and status: read their output with background_output, stop them all with background_kill {env}.`;

const inlineTaskSchema = z.object({
  name: z.string().optional().describe('task name (default: from the command)'),
  command: z.string().describe('shell command'),
  depends_on: z
    .array(z.union([z.string(), z.object({ name: z.string(), condition: z.string().describe(DEPENDENCY_CONDITIONS.join('|')) })]))
    .optional()
    .describe('task names, or {name, condition}'),
  health: z.union([z.string(), z.array(z.string())]).optional().describe('check(s): http://…, tcp:PORT, tcp:HOST:PORT, log:REGEX, listen, exec:CMD, file:PATH'),
});

function findFile(file: string | undefined, cwd: string): string {
  if (file !== undefined) {
    const path = isAbsolute(file) ? file : resolve(cwd, file);
    if (!existsSync(path)) throw argumentError('file', `${path}: no such file`);
    return path;
  }
  const found = DEFAULT_FILES.map((f) => resolve(cwd, f)).find((p) => existsSync(p));
  if (!found) throw argumentError('file', `give file or tasks: no ${DEFAULT_FILES.join(', ')} in ${cwd}`);
  return found;
}

export function registerOrchestrate(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'background_orchestrate',
    {
      title: 'Bring up an environment of several tasks',
      description: DESCRIPTION,
      inputSchema: {
        file: z.string().optional().describe('env file: corral.yaml, a workflow (steps:) or a Procfile'),
        tasks: z.array(inlineTaskSchema).optional().describe('inline tasks, instead of a file'),
        name: z.string().optional().describe('the environment\'s name'),
        cwd: z.string().optional().describe("folder of inline tasks (default: this server's folder)"),
        wait_healthy: z.boolean().optional().describe('wait until everything is ready (default true)'),
        timeout: durationArg('how long to wait (default 45s)').optional(),
      },
      outputSchema: {
        env: z.string(),
        ready: z.boolean().nullable().describe('null when not waited for'),
        timed_out: z.boolean(),
        tasks: z.array(taskSummarySchema),
        culprit: z
          .object({ id: z.string(), name: z.string().nullable(), status: z.string(), reason: z.string(), last_lines: z.array(z.string()) })
          .nullable(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra: Extra) => {
      try {
        const waitMs = args.timeout === undefined ? DEFAULT_ENV_WAIT_MS : durationOption(args.timeout, 'timeout');
        const waitHealthy = args.wait_healthy !== false;
        if (args.file !== undefined && args.tasks !== undefined) throw argumentError('tasks', 'give file or tasks, not both');
        let input: OrchestrateInput;
        if (args.tasks !== undefined) {
          if (args.tasks.length === 0) throw argumentError('tasks', 'the list is empty');
          // Dependencies are checked where an env file's are (config/orchestrate.ts), before anything starts.
          const cwd = args.cwd === undefined ? ctx.cwd : isAbsolute(args.cwd) ? args.cwd : resolve(ctx.cwd, args.cwd);
          const tasks: InlineTask[] = args.tasks.map((t) => ({
            command: t.command,
            ...(t.name !== undefined ? { name: t.name } : {}),
            ...(t.depends_on !== undefined ? { dependsOn: t.depends_on } : {}),
            ...(t.health !== undefined ? { health: Array.isArray(t.health) ? t.health : [t.health] } : {}),
          }));
          input = { name: args.name ?? DEFAULT_INLINE_NAME, tasks, callerEnv: ctx.baseEnv, cwd };
        } else {
          if (args.cwd !== undefined) throw argumentError('cwd', 'goes with inline tasks; an env file says its folders itself');
          input = { file: findFile(args.file, ctx.cwd), ...(args.name !== undefined ? { name: args.name } : {}), callerEnv: ctx.baseEnv };
        }

        return await ctx.withApi(async (api) => {
          const { tasks: started, removedFromOlderRuns } = await api.orchestrate(input);
          const env = started[0]?.env ?? input.name ?? 'env';
          const removed = removedFromOlderRuns > 0 ? removedText(removedFromOlderRuns, env) : null;
          if (!waitHealthy) return result(env, null, started, removed);
          const t0 = Date.now();
          const stop = heartbeat(extra, () => `waiting for ${env} to be ready (${formatDuration(Date.now() - t0)} of ${formatDuration(waitMs)})`);
          try {
            return result(env, await api.waitEnv(env, waitMs / 1000), started, removed);
          } finally {
            stop();
          }
        }, extra.signal);
      } catch (error) {
        return toolError(error);
      }
    },
  );
}

function result(env: string, report: EnvReport | null, started: TaskView[], removed: string | null) {
  const tasks = report?.tasks ?? started;
  let headline: string;
  if (!report) headline = `${env} is starting (${counted(tasks.length, 'task')}); not waited for`;
  else if (report.ready) headline = `${env} is ready`;
  else headline = report.timedOut ? `${env} is not ready after the timeout; its tasks keep running` : `${env} did not come up`;
  const lines = [headline, ...tasks.map((t) => `${taskLabel(t)}: ${statusText(t)}`)];
  const c = report?.culprit ?? null;
  if (c) lines.push(`at fault: ${culpritText(c)}`);
  if (removed) lines.push(removed);
  return {
    content: [{ type: 'text' as const, text: lines.join('\n') }],
    structuredContent: {
      env,
      ready: report ? report.ready : null,
      timed_out: report?.timedOut ?? false,
      tasks: tasks.map(taskSummary),
      culprit: c ? { id: c.id, name: c.name, status: c.status, reason: c.reason, last_lines: c.lastLines } : null,
    },
  };
}
