/** background_kill: stops whole process trees and says how each ended. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { TaskView } from '../../api.js';
import type { McpContext } from '../context.js';
import { argumentError, toolError } from '../errors.js';
import { normalizeStop } from '../../config/control.js';
import { taskLabel } from '../../text.js';
import { statusText } from '../format.js';
import { durationArg, taskSummary, taskSummarySchema, type Extra } from './shared.js';

const DESCRIPTION = `Stop background tasks: the whole process tree of each (children, grandchildren, and processes that detached with setsid), so nothing is left holding a port. It sends signal (default SIGTERM, or the task's own stop signal) to every process of the tree, then SIGKILL to whatever is left after grace (default 5s), and returns only once no process of the tree remains. Give one of:
- id: a task id (bash_3), name or env/name (dev/web), or a list of them;
- env: an environment started with background_orchestrate (stopped in order: dependents first);
- all: true — every live task of this corral home (also ones other sessions started: use with care).
Returns how each task ended (status and reason, e.g. "killed: SIGTERM", "killed: SIGKILL after 5s grace", "completed: exit 0"). Killing a task that already ended is harmless. The task and its output stay readable (background_output) after the kill.`;

export function registerKill(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'background_kill',
    {
      title: 'Stop background tasks (whole process trees)',
      description: DESCRIPTION,
      inputSchema: {
        id: z.union([z.string(), z.array(z.string())]).optional().describe('task id, name or env/name, or a list of them'),
        env: z.string().optional().describe('an environment from background_orchestrate'),
        all: z.boolean().optional().describe('true: every live task'),
        signal: z.string().optional().describe('first signal, e.g. SIGINT (default: the task\'s stop signal, SIGTERM)'),
        grace: durationArg('time before SIGKILL (default 5s)').optional(),
      },
      outputSchema: { tasks: z.array(taskSummarySchema) },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        const ids = args.id === undefined ? [] : Array.isArray(args.id) ? args.id : [args.id];
        const targets = [ids.length > 0, args.env !== undefined, args.all === true].filter(Boolean).length;
        if (targets !== 1) throw argumentError('id', 'give exactly one of id, env or all: true');
        if (args.all === false) throw argumentError('all', 'only true means something here');
        normalizeStop(args);
        const options = {
          ...(args.signal !== undefined ? { signal: args.signal } : {}),
          ...(args.grace !== undefined ? { grace: args.grace } : {}),
        };
        const stopped: TaskView[] = await ctx.withApi(
          (api) => (args.env !== undefined ? api.down(args.env, options) : api.kill({ ...(args.all ? { all: true } : { refs: ids }), ...options })),
          extra.signal,
        );
        const text =
          stopped.length === 0
            ? 'nothing to stop: no live task'
            : `${stopped.map((t) => `${taskLabel(t)}: ${statusText(t)}`).join('\n')}\nno process of ${stopped.length === 1 ? 'it' : 'them'} is left`;
        return { content: [{ type: 'text', text }], structuredContent: { tasks: stopped.map(taskSummary) } };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
