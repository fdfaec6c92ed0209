/** `daemon status` and `daemon stop`: both ask the daemon that holds the home, and start one only to stop tasks nobody else could. */
import { readFileSync } from 'node:fs';
import { isFinal } from '../../machines/task.types.js';
import type { DaemonStatus } from '../api.js';
import type { HomePaths } from '../home.js';
import { VERSION } from '../version.js';
import { connectOrStart, connectToDaemon } from './daemon.js';
import { RemoteSupervisor } from './remote.js';

/** How long `daemon stop` waits for the daemon to exit once every task has stopped. */
const EXIT_DEADLINE_MS = 5_000;

/** What `daemon status` shows: the daemon's own answer, or without one, the home and how many tasks its state keeps. */
export async function daemonStatus(paths: HomePaths): Promise<DaemonStatus> {
  const rpc = await connectToDaemon(paths);
  if (!rpc) {
    return { running: false, pid: null, home: paths.home, socket: paths.socket, startedAt: null, tasks: storedStatuses(paths.state).length, version: VERSION };
  }
  try {
    return await new RemoteSupervisor(rpc).status();
  } finally {
    rpc.close();
  }
}

/** The statuses of the tasks the state file holds; none when there is no readable file. */
function storedStatuses(state: string): string[] {
  try {
    const tasks = JSON.parse(readFileSync(state, 'utf8')).tasks;
    return Object.values(tasks && typeof tasks === 'object' ? tasks : {}).map((t) => String((t as { status?: unknown })?.status));
  } catch {
    return [];
  }
}

/**
 * Stops every task, then the daemon, and resolves once the daemon has exited (its end
 * closes the connection), so that the next command starts a fresh daemon rather than
 * meet a dying one. Null when there was nothing to stop. With no daemon, tasks the state
 * keeps as live may still run (their daemon was killed): only then is one started
 * (`started`), to stop them.
 */
export async function stopDaemon(paths: HomePaths): Promise<{ stopped: string[]; started: boolean } | null> {
  let rpc = await connectToDaemon(paths);
  const started = !rpc && storedStatuses(paths.state).some((status) => !isFinal(status));
  if (started) rpc = await connectOrStart(paths);
  if (!rpc) return null;
  try {
    const result = await new RemoteSupervisor(rpc).shutdown();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([rpc.ended, new Promise((r) => (timer = setTimeout(r, EXIT_DEADLINE_MS)))]);
    clearTimeout(timer);
    return { ...result, started };
  } finally {
    rpc.close();
  }
}
