/**
 * `corral events`: the event journal, one event a line (JSON lines with --json). From the
 * journal's start, after a seq (`--since`), or after this consumer's cursor kept by the
 * daemon (`--new --as NAME`, which moves it); `--follow` goes on printing each event the
 * moment the daemon journals it (a long poll it answers then), until interrupted, and
 * outlives a restart of the daemon.
 */
import { counted } from '../../../machines/counted.js';
import { DEFAULTS } from '../../../machines/defaults.js';
import type { CorralEvent, EventBatch, EventFilter } from '../../api.js';
import { ReconnectingRpc } from '../../client/reconnecting.js';
import { RemoteSupervisor } from '../../client/remote.js';
import { compileFilter } from '../../config/filter.js';
import { CorralError, usageError } from '../../errors.js';
import type { Context } from '../context.js';
import { eventJson, eventLine } from '../event-line.js';

interface EventsFlags {
  since?: number;
  new?: boolean;
  as?: string;
  follow?: boolean;
  env?: string;
  session?: string;
  filter?: string;
}

/** How long one look waits for an event while following; the daemon answers as soon as one comes. */
const FOLLOW_WAIT_MS = 60_000;
/** While following and no daemon runs, how often to look for the next one. */
const RECONNECT_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function events(ctx: Context, flags: EventsFlags): Promise<number> {
  if (flags.since !== undefined && flags.new) throw usageError('--since and --new both say where to start: give one');
  if (flags.as !== undefined && !flags.new) throw usageError('--as names the cursor of --new: use them together');
  const regex = compileFilter(flags.filter);
  const filter: EventFilter = {
    ...(flags.env !== undefined ? { env: flags.env } : {}),
    ...(flags.session !== undefined ? { session: flags.session } : {}),
  };
  const consumer = flags.new ? (flags.as ?? DEFAULTS.cursorConsumer) : null;
  let api = await ctx.api();
  // Following alone starts from now; otherwise from the journal's start.
  let after = flags.since ?? (flags.follow && !consumer ? (await api.eventsSince(0, 0, { ids: [] })).last : 0);
  let stopped = false;
  if (flags.follow) {
    // A connection that finds the next daemon when this one goes (and starts none).
    api = new RemoteSupervisor(new ReconnectingRpc(ctx.paths, null));
    const stop = () => {
      stopped = true;
      api.close();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  const print = (e: CorralEvent) => {
    const line = eventLine(e, 6, true);
    if (regex && !regex.test(line)) return;
    process.stdout.write(ctx.json ? `${JSON.stringify(eventJson(e))}\n` : `${e.seq} ${line}\n`);
  };
  const wait = flags.follow ? FOLLOW_WAIT_MS : 0;
  for (;;) {
    let batch: EventBatch;
    try {
      batch = consumer ? await api.eventsNew(consumer, wait, filter) : await api.eventsSince(after, wait, filter);
    } catch (error) {
      if (stopped) return 0;
      // The daemon went (or is not back yet): a follower waits for the next one.
      if (!flags.follow || !(error instanceof CorralError) || error.kind !== 'failed') throw error;
      await sleep(RECONNECT_MS);
      continue;
    }
    if (batch.trimmed) process.stderr.write(`corral: ${counted(batch.trimmed, 'event')} after seq ${after} had been trimmed from the journal (its size bound)\n`);
    for (const e of batch.events) print(e);
    after = batch.last;
    if (!batch.more && !flags.follow) return 0;
    if (stopped) return 0;
  }
}
