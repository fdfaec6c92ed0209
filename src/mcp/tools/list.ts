/**
 * background_list: the tasks of the home, one compact line each. By default the live
 * ones and those that ended lately, so that the list does not grow with every task ever run.
 */
import { resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { counted } from '../../../machines/counted.js';
import { formatDuration } from '../../../machines/duration.js';
import { qualifiedName } from '../../../machines/policies/names.js';
import { isFinal, type TaskStatus } from '../../../machines/task.types.js';
import type { TaskView } from '../../api.js';
import type { McpContext } from '../context.js';
import { argumentError, toolError } from '../errors.js';
import { uptimeMs } from '../../text.js';
import { shorten, statusText, whenText } from '../format.js';
import { projectOf } from '../../project.js';
import { taskSummary, taskSummarySchema, type Extra } from './shared.js';
import { registerTool } from './register.js';

/** Ended tasks listed by default: those that ended within this long, at most RECENT_MAX of them. */
const RECENT_MS = 60 * 60 * 1000;
const RECENT_MAX = 20;
const STATUSES: readonly TaskStatus[] = ['queued', 'waiting', 'starting', 'running', 'stopping', 'restarting', 'completed', 'failed', 'killed'];
/** Ids of left-out tasks named in the text; more are counted. */
const NAMED_MAX = 10;

const DESCRIPTION = `List tasks, other sessions' too: look before starting a second dev server. Default: live ones and those ended in the last hour (at most 20).`;

interface Selection {
  shown: TaskView[];
  /** Left out, latest first: tasks that ended over RECENT_MS ago... */
  old: TaskView[];
  /** ...and recent ones beyond the RECENT_MAX latest. */
  beyondMax: TaskView[];
}

/** When it ended; one that never said is taken as just ended, so that it is not hidden. */
const endOf = (t: TaskView) => Date.parse(t.endedAt ?? t.startedAt ?? '') || Number.MAX_SAFE_INTEGER;

function select(tasks: TaskView[], statuses: Set<string> | null, all: boolean, now: number): Selection {
  const matching = statuses ? tasks.filter((t) => statuses.has(t.status)) : tasks;
  if (all) return { shown: matching, old: [], beyondMax: [] };
  const ended = matching.filter((t) => isFinal(t.status)).sort((a, b) => endOf(b) - endOf(a));
  const recent = ended.filter((t) => now - endOf(t) <= RECENT_MS);
  const kept = new Set(recent.slice(0, RECENT_MAX));
  return {
    shown: matching.filter((t) => !isFinal(t.status) || kept.has(t)),
    old: ended.filter((t) => now - endOf(t) > RECENT_MS),
    beyondMax: recent.slice(RECENT_MAX),
  };
}

function rowText(t: TaskView, now: number): string {
  const name = qualifiedName(t);
  const label = name ? `${t.id} ${name}` : t.id;
  let state = statusText(t);
  if (isFinal(t.status)) {
    const ran = uptimeMs(t, now);
    state += `${ran !== null ? `, ran ${formatDuration(ran)}` : ''}${t.endedAt ? `, ended ${whenText(t.endedAt, now)}` : ''}`;
  }
  return `${label}: ${state} · cwd ${t.cwd} · ${shorten(t.command, 80)}`;
}

function leftOutText(s: Selection): string | null {
  const left = [...s.beyondMax, ...s.old];
  if (left.length === 0) return null;
  const why = [
    s.beyondMax.length > 0 ? `${s.beyondMax.length} beyond the ${RECENT_MAX} latest` : '',
    s.old.length > 0 ? `${s.old.length} ended over an hour ago` : '',
  ].filter(Boolean);
  const ids = left.slice(0, NAMED_MAX).map((t) => t.id).join(', ') + (left.length > NAMED_MAX ? ', …' : '');
  return `left out: ${counted(left.length, 'ended task')} (${why.join(', ')}): ${ids}; all: true lists them, background_remove {ended: true} forgets them`;
}

function headline(s: Selection, filtered: boolean): string {
  const what = filtered ? 'matching task' : 'task';
  if (s.shown.length > 0) {
    const live = s.shown.filter((t) => !isFinal(t.status)).length;
    return `${counted(s.shown.length, what)}: ${live} live, ${s.shown.length - live} ended`;
  }
  return s.old.length + s.beyondMax.length > 0 ? `no live ${what}, and none that ended in the last hour` : `no ${what}s`;
}

const rowSchema = taskSummarySchema.extend({ cwd: z.string(), ended_at: z.string().nullable() });

export function registerList(server: McpServer, ctx: McpContext): void {
  registerTool(
    server,
    'background_list',
    {
      description: DESCRIPTION,
      inputSchema: {
        env: z.string().optional().describe('environment'),
        status: z.union([z.string(), z.array(z.string())]).optional().describe('running, failed, … or a list'),
        all: z.boolean().optional().describe('also long-ended'),
        session: z.string().optional().describe('session'),
        mine: z.boolean().optional().describe("this client's session"),
        project: z.string().optional().describe('project of this folder'),
      },
      dataSchema: { tasks: z.array(rowSchema), left_out: z.number() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        const wanted = args.status === undefined ? null : Array.isArray(args.status) ? args.status : [args.status];
        for (const s of wanted ?? []) {
          if (!(STATUSES as readonly string[]).includes(s)) throw argumentError('status', `"${s}" is not a status (${STATUSES.join(', ')})`);
        }
        if (args.mine && args.session !== undefined) throw argumentError('mine', 'give mine or session, not both');
        const session = args.mine ? ctx.session() : args.session;
        const filter = {
          ...(args.env !== undefined ? { env: args.env } : {}),
          ...(session !== undefined ? { session } : {}),
          ...(args.project !== undefined ? { project: projectOf(resolve(ctx.cwd, args.project)) } : {}),
        };
        const tasks = await ctx.withApi((api) => api.list(filter), extra.signal);
        const now = Date.now();
        const selection = select(tasks, wanted ? new Set(wanted) : null, args.all === true, now);
        const lines = [headline(selection, wanted !== null || Object.keys(filter).length > 0), ...selection.shown.map((t) => rowText(t, now))];
        const leftOut = leftOutText(selection);
        if (leftOut) lines.push(leftOut);
        return {
          content: [{ type: 'text', text: lines.join('\n') }],
          structuredContent: {
            tasks: selection.shown.map((t) => ({ ...taskSummary(t), cwd: t.cwd, ended_at: t.endedAt })),
            left_out: selection.old.length + selection.beyondMax.length,
          },
        };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
