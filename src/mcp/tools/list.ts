/** background_list: every task of the home, one compact line each. */
import { resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatDuration } from '../../../machines/duration.js';
import { qualifiedName } from '../../../machines/policies/names.js';
import type { McpContext } from '../context.js';
import { argumentError, toolError } from '../errors.js';
import { projectOf } from '../../project.js';
import { exitText, table, uptimeMs } from '../../text.js';
import { shorten } from '../format.js';
import { taskSummary, taskSummarySchema, type Extra } from './shared.js';

const DESCRIPTION = `List the background tasks of this corral home: running ones and finished ones (until removed), including tasks started earlier or by other sessions — look here before starting a dev server that may already be running. One line each: id, name (env/name for a task of an environment: the form that reaches it when a bare name is ambiguous), status, health, pid, uptime, exit code (or signal), command. env narrows the list to one environment from background_orchestrate.`;

export function registerList(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'background_list',
    {
      title: 'List background tasks',
      description: DESCRIPTION,
      inputSchema: {
        env: z.string().optional().describe('only the tasks of this environment'),
        session: z.string().optional().describe('only the tasks of this session'),
        mine: z.boolean().optional().describe("true: only this client's session's tasks"),
        project: z.string().optional().describe('only the tasks of the project this folder is in'),
      },
      outputSchema: { tasks: z.array(taskSummarySchema) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        if (args.mine && args.session !== undefined) throw argumentError('mine', 'give mine or session, not both');
        const session = args.mine ? ctx.session() : args.session;
        const filter = {
          ...(args.env !== undefined ? { env: args.env } : {}),
          ...(session !== undefined ? { session } : {}),
          ...(args.project !== undefined ? { project: projectOf(resolve(ctx.cwd, args.project)) } : {}),
        };
        const tasks = await ctx.withApi((api) => api.list(filter), extra.signal);
        const text =
          tasks.length === 0
            ? 'no tasks'
            : table(
                ['ID', 'NAME', 'STATUS', 'HEALTH', 'PID', 'UPTIME', 'EXIT', 'COMMAND'],
                tasks.map((t) => {
                  const up = uptimeMs(t);
                  return [
                    t.id,
                    qualifiedName(t) ?? '-',
                    t.status,
                    t.health ?? '-',
                    t.pid !== null && t.status === 'running' ? String(t.pid) : '-',
                    up === null ? '-' : formatDuration(up),
                    exitText(t),
                    shorten(t.command, 80),
                  ];
                }),
              );
        return { content: [{ type: 'text', text }], structuredContent: { tasks: tasks.map(taskSummary) } };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
