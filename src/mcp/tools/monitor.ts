/**
 * background_monitor: sets watch policies in the daemon (alerts on output lines,
 * restart on failure) and returns what the event journal holds since this client's last
 * call: exits, restarts, health changes, alerts. The position is a cursor the daemon keeps
 * per client name, so a restarted server or agent misses nothing and sees nothing twice.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { counted } from '../../../machines/counted.js';
import { DEFAULTS } from '../../../machines/defaults.js';
import { eventKind, type EventKind } from '../../../machines/event-kind.js';
import type { CorralEvent } from '../../api.js';
import type { McpContext } from '../context.js';
import { compileFilter } from '../../config/filter.js';
import { toolError } from '../errors.js';
import type { Extra } from './shared.js';
import { registerTool } from './register.js';

const DESCRIPTION = `Set alert_on and restart_on_failure on ids, env or all; returns exits, restarts, health changes, alerts since this client's last call (a new name: the latest ${DEFAULTS.newEventsBacklog}).`;

/** What an agent is told of: not every state change, the ones that need its attention. */
const KINDS: EventKind[] = ['exit', 'restart', 'health', 'alert'];
/** Events in one reply; the rest come with the next call. */
const PER_CALL = 50;

const eventSchema = z.object({
  seq: z.number(),
  kind: z.enum(['exit', 'restart', 'health', 'alert']),
  id: z.string(),
  status: z.string().optional(),
  exit_code: z.number().nullable().optional(),
});

function describe(e: CorralEvent): string {
  const who = e.name ? `${e.id} (${e.env ? `${e.env}/` : ''}${e.name})` : e.id;
  if (e.type === 'alert') return `${e.at} ALERT ${who} ${e.stream}: ${e.line}`;
  if (e.type === 'health' || e.type === 'skip') return `${e.at} ${who} ${e.reason}`;
  return `${e.at} ${who} ${e.status}${e.reason ? `: ${e.reason}` : ''}`;
}

/** The data of an event; its words (reason, alert line) are in the text only. */
function eventData(e: CorralEvent): z.infer<typeof eventSchema> {
  const kind = eventKind(e) as z.infer<typeof eventSchema>['kind'];
  if (e.type === 'alert' || e.type === 'skip') return { seq: e.seq, kind, id: e.id };
  if (e.type === 'health') return { seq: e.seq, kind, id: e.id, status: e.health };
  return { seq: e.seq, kind, id: e.id, status: e.status, exit_code: e.exitCode ?? null };
}

export function registerMonitor(server: McpServer, ctx: McpContext): void {
  registerTool(
    server,
    'background_monitor',
    {
      description: DESCRIPTION,
      inputSchema: {
        ids: z.array(z.string()).optional().describe('tasks'),
        env: z.string().optional().describe('environment'),
        alert_on: z.string().optional().describe('regex on new lines'),
        restart_on_failure: z.boolean().optional().describe('restart when they fail'),
      },
      dataSchema: { watched: z.array(z.string()), events: z.array(eventSchema), alerts: z.number(), more: z.boolean() },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        if (args.alert_on !== undefined) compileFilter(args.alert_on, 'alertOn');
        const filter = { ...(args.ids?.length ? { ids: args.ids } : {}), ...(args.env !== undefined ? { env: args.env } : {}) };
        const result = await ctx.withApi(async (api) => {
          const { tasks } = await api.monitor({
            ...filter,
            ...(args.alert_on !== undefined ? { alertOn: args.alert_on } : {}),
            ...(args.restart_on_failure ? { restartOnFailure: true } : {}),
          });
          const batch = await api.eventsNew(ctx.consumer(), 0, { ...filter, kinds: KINDS, limit: PER_CALL });
          return { tasks, batch };
        }, extra.signal);
        const { events, more = false, trimmed = 0 } = result.batch;
        const alerts = events.filter((e) => e.type === 'alert').length;
        const set = [args.alert_on !== undefined ? `alerts on /${args.alert_on}/` : '', args.restart_on_failure ? 'restart on failure' : ''].filter(Boolean);
        const news = events.length ? `${counted(events.length, 'event')} since the last call${more ? ' (more: call again)' : ''}` : 'nothing new since the last call';
        const header = `watching ${counted(result.tasks.length, 'task')}${set.length ? `; ${set.join(' and ')} set in the daemon` : ''}; ${news}`;
        const lost = trimmed > 0 ? [`(${counted(trimmed, 'earlier event')} had been trimmed from the journal before this call)`] : [];
        const text = [header, ...lost, ...events.map(describe)].join('\n');
        return {
          content: [{ type: 'text', text }],
          structuredContent: { watched: result.tasks.map((t) => t.id), events: events.map(eventData), alerts, more },
        };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
