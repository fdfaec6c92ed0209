/**
 * background_monitor: sets watch policies in the daemon (alerts on output lines,
 * restart on failure) and returns what happened since this client's last call: alerts,
 * exits, restarts. The policies stay in the daemon after the session.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { counted } from '../../../machines/counted.js';
import { isFinal } from '../../../machines/task.types.js';
import type { CorralEvent } from '../../api.js';
import type { McpContext } from '../context.js';
import { compileFilter } from '../../config/filter.js';
import { toolError } from '../errors.js';
import type { Extra } from './shared.js';

const DESCRIPTION = `Watch background tasks. Sets, in the daemon (they keep working after this session): alert_on, a regex matched against NEW output lines of the watched tasks (older lines never alert); restart_on_failure, the on-failure restart policy (with backoff and a restart limit). Returns what happened since your previous background_monitor call: alerts (task, stream, line), exits with their reasons, restarts. Call it again later to get only what is new. ids (or env) choose the tasks; by default every task of the home.`;

const eventSchema = z.object({
  type: z.enum(['state', 'alert']),
  at: z.string(),
  id: z.string(),
  name: z.string().nullable(),
  status: z.string().optional(),
  reason: z.string().nullable().optional(),
  stream: z.string().optional(),
  line: z.string().optional(),
});

/** Where each MCP server (one per client session) left off in the daemon's event log. */
let lastSeq = 0;

function describe(e: CorralEvent): string {
  const who = e.name ? `${e.id} (${e.name})` : e.id;
  if (e.type === 'alert') return `${e.at} ALERT ${who} ${e.stream}: ${e.line}`;
  return `${e.at} ${who} ${e.status}${e.reason ? `: ${e.reason}` : ''}`;
}

export function registerMonitor(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'background_monitor',
    {
      title: 'Watch background tasks',
      description: DESCRIPTION,
      inputSchema: {
        ids: z.array(z.string()).optional().describe('task ids, names or env/names to watch (default: every task)'),
        env: z.string().optional().describe('watch the tasks of this environment'),
        alert_on: z.string().optional().describe('regex: new output lines that match raise alerts'),
        restart_on_failure: z.boolean().optional().describe('restart the watched tasks when they fail'),
      },
      outputSchema: { watched: z.array(z.string()), events: z.array(eventSchema), alerts: z.number() },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        if (args.alert_on !== undefined) compileFilter(args.alert_on, 'alertOn');
        const filter = { ...(args.ids?.length ? { ids: args.ids } : {}), ...(args.env !== undefined ? { env: args.env } : {}) };
        const result = await ctx.withApi(async (api) => {
          const { tasks, last } = await api.monitor({
            ...filter,
            ...(args.alert_on !== undefined ? { alertOn: args.alert_on } : {}),
            ...(args.restart_on_failure ? { restartOnFailure: true } : {}),
          });
          // The daemon's sequence starts over when it restarts: then read from its start.
          if (last < lastSeq) lastSeq = 0;
          const batch = await api.eventsSince(lastSeq, 0, filter);
          lastSeq = batch.last;
          return { tasks, events: batch.events };
        }, extra.signal);
        const events = result.events.filter((e) => e.type === 'alert' || isFinal(e.status) || e.status === 'restarting');
        const alerts = events.filter((e) => e.type === 'alert').length;
        const set = [args.alert_on !== undefined ? `alerts on /${args.alert_on}/` : '', args.restart_on_failure ? 'restart on failure' : ''].filter(Boolean);
        const header = `watching ${counted(result.tasks.length, 'task')}${set.length ? `; ${set.join(' and ')} set in the daemon` : ''}`;
        const text = [header, events.length ? events.map(describe).join('\n') : 'nothing new since the last call'].join('\n');
        return {
          content: [{ type: 'text', text }],
          structuredContent: {
            watched: result.tasks.map((t) => t.id),
            events: events.map((e) =>
              e.type === 'alert'
                ? { type: e.type, at: e.at, id: e.id, name: e.name, stream: e.stream, line: e.line }
                : { type: e.type, at: e.at, id: e.id, name: e.name, status: e.status, reason: e.reason },
            ),
            alerts,
          },
        };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
