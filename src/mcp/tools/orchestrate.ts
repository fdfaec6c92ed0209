/** background_orchestrate: brings up a whole environment (an env file, or inline tasks) and reports each task. */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AppliedTask, EnvReport, InlineTask, OrchestrateInput, TaskView } from '../../api.js';
import { counted } from '../../../machines/counted.js';
import { DEPENDENCY_CONDITIONS } from '../../../machines/policies/dependencies.js';
import { formatDuration } from '../../../machines/duration.js';
import { appliedLines, culpritText, removedText, taskLabel } from '../../text.js';
import type { McpContext } from '../context.js';
import { argumentError, toolError } from '../errors.js';
import { durationOption } from '../../config/control.js';
import { statusText } from '../format.js';
import { durationArg, heartbeat, taskSummary, taskSummarySchema, type Extra } from './shared.js';
import { registerTool } from './register.js';

/** Longer than a single spawn's: an environment starts in steps. Still under a client's usual 60 s. */
const DEFAULT_ENV_WAIT_MS = 45_000;
const DEFAULT_FILES = ['corral.yaml', 'corral.yml', 'Procfile'];
const DEFAULT_INLINE_NAME = 'dev';

const DESCRIPTION = `Bring up tasks (file: corral.yaml, workflow, Procfile; template; inline); waits until all are healthy (running, if no check); depends_on waits for healthy (started, if no check). Already up: restarts what changed. Failure: culprit, why, last lines.`;

const inlineTaskSchema = z.object({
  name: z.string().optional().describe('task name'),
  command: z.string().describe('shell command'),
  depends_on: z
    .array(z.union([z.string(), z.object({ name: z.string(), condition: z.string().describe(DEPENDENCY_CONDITIONS.join('|')) })]))
    .optional()
    .describe('names or {name, condition}'),
  health: z.union([z.string(), z.array(z.string())]).optional().describe('http://…, tcp:PORT, log:RE, listen, exec:CMD, file:PATH'),
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
  registerTool(
    server,
    'background_orchestrate',
    {
      description: DESCRIPTION,
      inputSchema: {
        file: z.string().optional().describe('env file'),
        template: z.string().optional().describe('`corral templates`'),
        tasks: z.array(inlineTaskSchema).optional().describe('inline tasks'),
        name: z.string().optional().describe(`default: the file's, or ${DEFAULT_INLINE_NAME}`),
        cwd: z.string().optional().describe('folder'),
        only: z.array(z.string()).optional().describe('tasks + deps'),
        profiles: z.array(z.string()).optional().describe('profiles too'),
        wait_healthy: z.boolean().optional().describe('default true'),
        timeout: durationArg('default 45s').optional(),
      },
      dataSchema: {
        env: z.string(),
        ready: z.boolean().nullable().describe('null when not waited for'),
        timed_out: z.boolean(),
        tasks: z.array(taskSummarySchema),
        applied: z
          .array(z.object({ name: z.string(), action: z.enum(['restarted', 'started', 'stopped', 'kept']), why: z.string(), changed: z.array(z.string()) }))
          .nullable()
          .describe('when it was already up'),
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
        const sources = (['file', 'template', 'tasks'] as const).filter((k) => args[k] !== undefined);
        if (sources.length > 1) throw argumentError(sources[1]!, `give one of file, template or tasks, not ${sources.join(' and ')}`);
        if (args.tasks !== undefined && (args.only !== undefined || args.profiles !== undefined)) {
          throw argumentError(args.only !== undefined ? 'only' : 'profiles', 'picks tasks of an env file or template, not of inline tasks');
        }
        const part = { ...(args.only !== undefined ? { only: args.only } : {}), ...(args.profiles !== undefined ? { profiles: args.profiles } : {}) };
        const cwd = args.cwd === undefined ? ctx.cwd : isAbsolute(args.cwd) ? args.cwd : resolve(ctx.cwd, args.cwd);
        let input: OrchestrateInput;
        if (args.template !== undefined) {
          // A template runs in the project's folder, not in the package's templates/ folder.
          const { findTemplate } = await import('../../init/templates.js');
          input = { file: findTemplate(args.template).file, cwd, ...(args.name !== undefined ? { name: args.name } : {}), callerEnv: ctx.baseEnv, ...part };
        } else if (args.tasks !== undefined) {
          if (args.tasks.length === 0) throw argumentError('tasks', 'the list is empty');
          // Dependencies are checked where an env file's are (config/orchestrate.ts), before anything starts.
          const tasks: InlineTask[] = args.tasks.map((t) => ({
            command: t.command,
            ...(t.name !== undefined ? { name: t.name } : {}),
            ...(t.depends_on !== undefined ? { dependsOn: t.depends_on } : {}),
            ...(t.health !== undefined ? { health: Array.isArray(t.health) ? t.health : [t.health] } : {}),
          }));
          input = { name: args.name ?? DEFAULT_INLINE_NAME, tasks, callerEnv: ctx.baseEnv, cwd };
        } else {
          if (args.cwd !== undefined) throw argumentError('cwd', 'goes with inline tasks or a template; an env file says its folders itself');
          input = { file: findFile(args.file, ctx.cwd), ...(args.name !== undefined ? { name: args.name } : {}), callerEnv: ctx.baseEnv, ...part };
        }

        return await ctx.withApi(async (api) => {
          const { tasks: started, removedFromOlderRuns, applied } = await api.orchestrate(input);
          const env = started[0]?.env ?? input.name ?? 'env';
          const removed = removedFromOlderRuns > 0 ? removedText(removedFromOlderRuns, env) : null;
          const notes = { removed, applied: applied ?? null };
          if (!waitHealthy) return result(env, null, started, notes);
          const t0 = Date.now();
          const stop = heartbeat(extra, () => `waiting for ${env} to be ready (${formatDuration(Date.now() - t0)} of ${formatDuration(waitMs)})`);
          try {
            return result(env, await api.waitEnv(env, waitMs / 1000), started, notes);
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

function result(env: string, report: EnvReport | null, started: TaskView[], { removed, applied }: { removed: string | null; applied: AppliedTask[] | null }) {
  const tasks = report?.tasks ?? started;
  let headline: string;
  if (!report) headline = `${env} is starting (${counted(tasks.length, 'task')}); not waited for`;
  else if (report.ready) headline = `${env} is ready`;
  else headline = report.timedOut ? `${env} is not ready after the timeout; its tasks keep running` : `${env} did not come up`;
  const lines = [headline, ...(applied ? appliedLines(env, applied) : []), ...tasks.map((t) => `${taskLabel(t)}: ${statusText(t)}`)];
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
      applied,
      culprit: c ? { id: c.id, name: c.name, status: c.status, reason: c.reason, last_lines: c.lastLines } : null,
    },
  };
}
