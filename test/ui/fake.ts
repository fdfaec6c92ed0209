/**
 * A fake of the part of the SupervisorApi the UI uses: tasks in memory, every call
 * recorded, and kills that can be held open to check the screen does not wait on them.
 * FakeApi has no event log (the UI polls); FakeEventApi has one (the UI follows it).
 */
import type { CorralEvent, KillInput, ReadInput, ReadResult, StreamRead, TaskDetails, TaskView } from '../../src/api.js';

export function task(id: string, over: Partial<TaskView> = {}): TaskView {
  const started = new Date(Date.now() - 65_000).toISOString();
  return {
    id,
    name: null,
    env: null,
    command: `sleep ${id.length}`,
    cwd: '/srv/app',
    status: 'running',
    reason: null,
    pid: 4000 + Number(id.replace(/\D/g, '') || 0),
    exitCode: null,
    signal: null,
    restarts: 0,
    health: null,
    healthReason: null,
    dependsOn: [],
    startedAt: started,
    endedAt: null,
    restartAt: null,
    cpuPercent: null,
    memoryBytes: null,
    session: null,
    project: null,
    keep: false,
    nextRunAt: null,
    ...over,
  };
}

export function details(t: TaskView, over: Partial<TaskDetails> = {}): TaskDetails {
  return {
    ...t,
    restartPolicy: 'on-failure',
    maxRestarts: 5,
    schedule: null,
    stopSignal: 'SIGTERM',
    stopCommand: null,
    graceMs: 5000,
    nice: null,
    ionice: null,
    limits: { memoryBytes: null, timeoutMs: null, idleMs: null, idleAction: 'alert' },
    alertOn: null,
    logMaxBytes: null,
    color: false,
    healthChecks: [],
    lastHealthFailure: null,
    envSet: {},
    peakMemoryBytes: null,
    samples: [],
    alerts: [],
    ports: [],
    restartHistory: [],
    watch: null,
    stdin: null,
    ...over,
  };
}

function streamRead(text: string, input: ReadInput): StreamRead {
  const bytes = Buffer.from(text);
  let from = 0;
  if (input.tail !== undefined) {
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const kept = lines.slice(-input.tail).join('\n') + (lines.length > 0 ? '\n' : '');
    from = bytes.length - Buffer.byteLength(kept);
  } else from = Math.min(input.offset ?? 0, bytes.length);
  const end = Math.min(bytes.length, from + (input.maxBytes ?? bytes.length));
  return { data: bytes.subarray(from, end).toString('utf8'), encoding: 'utf8', from, next: end, size: bytes.length, omitted: bytes.length - end };
}

export class FakeApi {
  tasks: TaskView[];
  extra = new Map<string, Partial<TaskDetails>>();
  stdout = new Map<string, string>();
  stderr = new Map<string, string>();
  calls: { method: string; args: unknown }[] = [];
  /** While set, kill() waits for this before answering (the tree taking its time to die). */
  holdKill: Promise<void> | null = null;
  /** While set, list() waits for this (a slow daemon). */
  holdList: Promise<void> | null = null;

  constructor(tasks: TaskView[]) {
    this.tasks = tasks;
  }

  private find(ref: string): TaskView {
    const t = this.tasks.find((x) => x.id === ref || x.name === ref);
    if (!t) throw new Error(`no task "${ref}"`);
    return t;
  }

  update(id: string, over: Partial<TaskView>): void {
    this.tasks = this.tasks.map((t) => (t.id === id ? { ...t, ...over } : t));
  }

  async list(): Promise<TaskView[]> {
    this.calls.push({ method: 'list', args: null });
    if (this.holdList) await this.holdList;
    return this.tasks.map((t) => ({ ...t }));
  }

  async describe(ref: string): Promise<TaskDetails> {
    this.calls.push({ method: 'describe', args: ref });
    const t = this.find(ref);
    return details(t, this.extra.get(t.id));
  }

  async read(input: ReadInput): Promise<ReadResult> {
    this.calls.push({ method: 'read', args: input });
    const t = this.find(input.ref);
    const result: ReadResult = { id: t.id, status: t.status, exitCode: t.exitCode, at: new Date().toISOString() };
    if (input.stream !== 'stderr') result.stdout = streamRead(this.stdout.get(t.id) ?? '', input);
    if (input.stream !== 'stdout') result.stderr = streamRead(this.stderr.get(t.id) ?? '', input);
    return result;
  }

  async kill(input: KillInput): Promise<TaskView[]> {
    this.calls.push({ method: 'kill', args: input });
    const ids = (input.refs ?? []).map((r) => this.find(r).id);
    for (const id of ids) this.update(id, { status: 'stopping' });
    if (this.holdKill) await this.holdKill;
    for (const id of ids) this.update(id, { status: 'killed', reason: 'SIGTERM', signal: 'SIGTERM', pid: null, endedAt: new Date().toISOString() });
    return ids.map((id) => this.find(id));
  }

  async restart(ref: string): Promise<TaskView> {
    this.calls.push({ method: 'restart', args: ref });
    const t = this.find(ref);
    this.update(t.id, { status: 'running', restarts: t.restarts + 1, pid: (t.pid ?? 5000) + 1 });
    return this.find(t.id);
  }

  called(method: string): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }
}

/**
 * The fake with the daemon's event log, as the real SupervisorApi has it: `eventsSince`
 * answers the events after a sequence number, or waits (a long poll) for the next one.
 * `change` updates a task and logs its new state; `restartDaemon` drops the open long
 * polls, as a daemon that died closes its connections (its journal, and so its sequence,
 * goes on in the next one).
 */
export class FakeEventApi extends FakeApi {
  private seq = 0;
  private log: CorralEvent[] = [];
  private readonly waiters = new Set<{ wake: () => void; fail: (e: Error) => void }>();

  /** Long polls waiting for an event now. */
  get following(): number {
    return this.waiters.size;
  }

  change(id: string, over: Partial<TaskView>): void {
    this.update(id, over);
    const t = this.tasks.find((x) => x.id === id)!;
    this.log.push({ seq: ++this.seq, at: new Date().toISOString(), type: 'state', id, name: t.name, env: t.env, status: t.status, reason: t.reason, logSizes: { stdout: 0, stderr: 0 } });
    for (const w of [...this.waiters]) w.wake();
  }

  restartDaemon(): void {
    for (const w of [...this.waiters]) w.fail(new Error('the daemon closed the connection'));
  }

  async eventsSince(since: number, timeoutMs: number): Promise<{ events: CorralEvent[]; last: number }> {
    this.calls.push({ method: 'eventsSince', args: since });
    const after = () => this.log.filter((e) => e.seq > since);
    if (after().length === 0 && timeoutMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const waiter = {
          wake: () => after().length > 0 && done(resolve),
          fail: (e: Error) => done(() => reject(e)),
        };
        const timer = setTimeout(() => done(resolve), timeoutMs);
        const done = (then: () => void) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          then();
        };
        this.waiters.add(waiter);
      });
    }
    const events = after();
    // As the daemon answers: a sequence it has not reached yet is kept.
    return { events, last: events.length > 0 ? events[events.length - 1]!.seq : Math.max(since, this.seq) };
  }
}

/** Keys as a terminal sends them. */
export const KEY = {
  up: '\u001b[A',
  down: '\u001b[B',
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  end: '\u001b[F',
  home: '\u001b[H',
  pageDown: '\u001b[6~',
  backspace: '\u007f',
  ctrlC: '\u0003',
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the last frame until `ok` holds (ink draws asynchronously). */
export async function frameWhere(lastFrame: () => string | undefined, ok: (frame: string) => boolean, what: string, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let frame = '';
  while (Date.now() < deadline) {
    frame = lastFrame() ?? '';
    if (ok(frame)) return frame;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}; last frame:\n${frame}`);
}

/** The line of the frame that shows `id` as a row of the list. */
export const rowOf = (frame: string, id: string): string | undefined => frame.split('\n').find((l) => new RegExp(`^.\\s*${id}\\s`).test(l));
