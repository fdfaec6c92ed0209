/** The SupervisorApi over the daemon's socket: what the CLI, the MCP server and the UI use. */
import type {
  EventBatch,
  EventFilter,
  MonitorInput,
  TaskDetails,
  TaskOwner,
  DaemonStatus,
  DashboardAddress,
  DiskUse,
  PruneOptions,
  DownOptions,
  ScaleInput,
  ScaleResult,
  EnvReport,
  OrchestrateInput,
  OrchestrateResult,
  KillInput,
  SendInput,
  SendResult,
  ListFilter,
  ReadInput,
  ReadResult,
  RunInput,
  SupervisorApi,
  TaskView,
  WaitOptions,
  WaitResult,
  WaitUntil,
} from '../api.js';
import type { Rpc } from './rpc.js';

export class RemoteSupervisor implements SupervisorApi {
  constructor(private readonly rpc: Rpc) {}

  run(input: RunInput): Promise<TaskView> {
    return this.rpc.call('run', input);
  }
  list(filter: ListFilter = {}): Promise<TaskView[]> {
    return this.rpc.call('list', filter);
  }
  orchestrate(input: OrchestrateInput): Promise<OrchestrateResult> {
    return this.rpc.call('orchestrate', input);
  }
  waitEnv(env: string, timeout?: string | number): Promise<EnvReport> {
    return this.rpc.call('waitEnv', { env, ...(timeout !== undefined ? { timeout } : {}) });
  }
  down(env: string, options: DownOptions = {}): Promise<TaskView[]> {
    return this.rpc.call('down', { env, ...options });
  }
  scale(input: ScaleInput): Promise<ScaleResult> {
    return this.rpc.call('scale', input);
  }
  send(input: SendInput): Promise<SendResult> {
    return this.rpc.call('send', input);
  }
  get(ref: string): Promise<TaskView> {
    return this.rpc.call('get', { ref });
  }
  describe(ref: string): Promise<TaskDetails> {
    return this.rpc.call('describe', { ref });
  }
  monitor(input: MonitorInput): Promise<{ tasks: TaskView[]; last: number }> {
    return this.rpc.call('monitor', input);
  }
  eventsSince(since: number, timeoutMs: number, filter: EventFilter = {}): Promise<EventBatch> {
    return this.rpc.call('events', { since, timeoutMs, ...filter });
  }
  eventsNew(consumer: string, timeoutMs: number, filter: EventFilter = {}): Promise<EventBatch> {
    return this.rpc.call('eventsNew', { consumer, timeoutMs, ...filter });
  }
  read(input: ReadInput): Promise<ReadResult> {
    return this.rpc.call('read', input);
  }
  wait(ref: string, until: WaitUntil, timeout?: string | number, options: WaitOptions = {}): Promise<WaitResult> {
    return this.rpc.call('wait', { ref, until, ...(timeout !== undefined ? { timeout } : {}), ...(options.from !== undefined ? { from: options.from } : {}) });
  }
  kill(input: KillInput): Promise<TaskView[]> {
    return this.rpc.call('kill', input);
  }
  restart(ref: string): Promise<TaskView> {
    return this.rpc.call('restart', { ref });
  }
  remove(refs: string[]): Promise<TaskView[]> {
    return this.rpc.call('remove', { refs });
  }
  prune(options: PruneOptions = {}): Promise<TaskView[]> {
    return this.rpc.call('prune', options);
  }
  diskUse(): Promise<DiskUse> {
    return this.rpc.call('diskUse');
  }
  endSession(session: string): Promise<TaskView[]> {
    return this.rpc.call('endSession', { session });
  }
  owners(pids: number[]): Promise<(TaskOwner | null)[]> {
    return this.rpc.call('owners', { pids });
  }
  status(): Promise<DaemonStatus> {
    return this.rpc.call('status');
  }
  /** Has the daemon serve the dashboard (on `port`, else any free one; the port it serves already when it does). */
  dashboard(options: { port?: number } = {}): Promise<DashboardAddress> {
    return this.rpc.call('dashboard', options);
  }
  /** Ordered shutdown of every task, then the daemon exits. */
  shutdown(): Promise<{ stopped: string[] }> {
    return this.rpc.call('shutdown');
  }
  close(): void {
    this.rpc.close();
  }
}
