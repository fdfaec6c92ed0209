/** background_list: every task of the home, one compact line each. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatDuration } from '../../../machines/duration.js';
import { qualifiedName } from '../../../machines/policies/names.js';
import type { McpContext } from '../context.js';
import { toolError } from '../errors.js';
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
      inputSchema: { env: z.string().optional().describe('only the tasks of this environment') },
      outputSchema: { tasks: z.array(taskSummarySchema) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        const tasks = await ctx.withApi((api) => api.list(args.env !== undefined ? { env: args.env } : {}), extra.signal);
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
