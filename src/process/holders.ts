/**
 * Who holds a port, and whose they are: sockets from /proc (process/ports.ts), the
 * processes that hold them, and the daemon's word on which of those belong to a task.
 * `ports`, `kill --port` and the hook's reading of broad kills all ask here.
 */
import type { SupervisorApi, TaskOwner } from '../api.js';
import { inetSockets, socketHolders, type InetSocket } from './ports.js';
import { readCmdline, readComm } from './procfs.js';

/** One process that would be reached, and the task it belongs to (null: outside corral). */
export interface Holder {
  pid: number;
  command: string;
  task: TaskOwner | null;
}

/** A listening port and who holds it: a task, a process outside corral, or nobody we can see. */
export interface PortRow {
  port: number;
  addresses: string[];
  task: TaskOwner | null;
  /** The processes holding it (of the task, or the one outside process); empty when /proc does not show them. */
  pids: number[];
  /** The command line of the first of them; null when none can be seen ("unknown process"). */
  command: string | null;
}

/** A process's command line as `ps` shows it; a kernel thread's name in brackets. */
export function processCommand(pid: number): string {
  const args = readCmdline(pid);
  if (args && args.some((a) => a.length > 0)) return args.join(' ');
  const comm = readComm(pid);
  return comm === null ? 'a process that has ended' : `[${comm}]`;
}

/** The task of each process, from the daemon; each process with its command. */
export async function holdersOf(api: Pick<SupervisorApi, 'owners'>, pids: number[]): Promise<Holder[]> {
  if (pids.length === 0) return [];
  const owners = await api.owners(pids);
  return pids.map((pid, i) => ({ pid, command: processCommand(pid), task: owners[i] ?? null }));
}

/** Which sockets a port's users would reach: listening ones (`ports`), every one bound to it (`fuser`), or to and from it (`lsof -i`). */
export type PortScope = 'listening' | 'local' | 'local-or-remote';

function onPort(socket: InetSocket, port: number, scope: PortScope): boolean {
  if (socket.inode === '0') return false; // TIME_WAIT: nobody holds it any more
  if (scope === 'listening') return socket.listening && socket.localPort === port;
  return socket.localPort === port || (scope === 'local-or-remote' && socket.remotePort === port);
}

/** The processes holding sockets on a port, as far as /proc shows them. */
export function pidsOnPort(port: number, scope: PortScope, protocols: ReadonlyArray<'tcp' | 'udp'> = ['tcp']): number[] {
  const inodes = new Set(inetSockets(protocols).filter((s) => onPort(s, port, scope)).map((s) => s.inode));
  return [...new Set([...socketHolders(inodes).values()].flat())].sort((a, b) => a - b);
}

/** Every listening TCP port of the machine (v4 and v6), one row per holder: a task, an outside process, or nobody seen. */
export async function listeningTable(api: Pick<SupervisorApi, 'owners'>, only?: number): Promise<PortRow[]> {
  const sockets = inetSockets(['tcp'], true).filter((s) => only === undefined || s.localPort === only);
  const holders = socketHolders(new Set(sockets.map((s) => s.inode)));
  const pids = [...new Set([...holders.values()].flat())];
  const byPid = new Map((await holdersOf(api, pids)).map((h) => [h.pid, h]));
  const rows = new Map<string, PortRow>();
  const add = (key: string, socket: InetSocket, make: () => Omit<PortRow, 'port' | 'addresses'>, pid?: number) => {
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { port: socket.localPort, addresses: [], ...make() }));
    if (!row.addresses.includes(socket.localAddress)) row.addresses.push(socket.localAddress);
    if (pid !== undefined && !row.pids.includes(pid)) row.pids.push(pid);
  };
  for (const socket of sockets) {
    const held = (holders.get(socket.inode) ?? []).map((pid) => byPid.get(pid)!);
    if (held.length === 0) add(`${socket.localPort} ?`, socket, () => ({ task: null, pids: [], command: null }));
    for (const h of held) {
      const key = h.task ? `${socket.localPort} ${h.task.id}` : `${socket.localPort} ${h.pid}`;
      add(key, socket, () => ({ task: h.task, pids: [], command: h.command }), h.pid);
    }
  }
  // By port; on one port, tasks first, then outside processes, then what cannot be seen.
  const rank = (r: PortRow) => (r.task ? 0 : r.pids.length > 0 ? 1 : 2);
  return [...rows.values()].sort((a, b) => a.port - b.port || rank(a) - rank(b) || (a.pids[0] ?? 0) - (b.pids[0] ?? 0));
}

/** `pid 4242 (python3 -m http.server 8000)`: how an outside process is named in one sentence. */
export function holderText(h: { pid: number; command: string }, maxCommand = 80): string {
  const command = h.command.length > maxCommand ? `${h.command.slice(0, maxCommand - 1)}…` : h.command;
  return `pid ${h.pid} (${command})`;
}
