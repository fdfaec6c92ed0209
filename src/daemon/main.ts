/**
 * The daemon: started on demand by the first client that needs it, detached, one per
 * home. It holds the home lock, serves the socket, and keeps the supervisor's tasks
 * running between CLI calls. Usage: node daemon/main.js --home DIR
 */
import { rmSync } from 'node:fs';
import { ensureHome, homePaths, resolveHome } from '../home.js';
import type { HomeRestore } from '../supervisor/home-restore.js';
import { HomeGuard, type Loss } from './home-guard.js';
import { rememberedDashboardPort } from './dashboard-memory.js';
import { acquireLock } from './lock.js';
import { boundDaemonLog } from './log-bound.js';
import { DEFAULTS } from '../../machines/defaults.js';

/** The daemon log's bound: CORRAL_DAEMON_LOG_MAX (bytes, for tests) or the default. */
function daemonLogMaxBytes(): number {
  const n = Number(process.env.CORRAL_DAEMON_LOG_MAX);
  return Number.isInteger(n) && n > 0 ? n : DEFAULTS.daemonLogMaxBytes;
}

async function main(): Promise<void> {
  // Files the daemon creates (state, logs, socket) are the user's alone; tasks get the user's umask back.
  const userUmask = process.umask(0o077);
  const flag = process.argv.indexOf('--home');
  const paths = homePaths(resolveHome(flag >= 0 ? process.argv[flag + 1] : undefined));
  ensureHome(paths);

  // Serving once its socket is up: until then a client that finds no socket waits for it.
  let serving = false;
  let guard: HomeGuard | undefined;
  const lock = await acquireLock(paths.home, 'daemon', () => ({ pid: process.pid, serving, problem: guard?.problem ?? null }));
  if (!lock) return; // Another daemon serves this home; the client connects to it.
  // Loaded only by the daemon that serves: one that loses the lock exits before paying for them.
  const [{ pino }, { Supervisor }, { startServer }] = await Promise.all([
    import('pino'),
    import('../supervisor/supervisor.js'),
    import('./server.js'),
  ]);

  const destination = pino.destination({ dest: paths.daemonLog, sync: false });
  const logger = pino({ base: { pid: process.pid } }, destination);
  boundDaemonLog(paths.daemonLog, daemonLogMaxBytes(), destination);
  const log = (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}) =>
    logger[level](fields, message);
  process.on('uncaughtException', (error) => log('error', 'uncaught exception', { error: String(error?.stack ?? error) }));
  process.on('unhandledRejection', (error) => {
    if (isLiteModeFetch(error)) return;
    log('error', 'unhandled rejection', { error: String(error) });
  });

  const max = Number(process.env.CORRAL_MAX_CONCURRENT);
  const supervisor = await Supervisor.open({
    home: paths.home,
    taskUmask: userUmask,
    log,
    ...(Number.isInteger(max) && max > 0 ? { maxConcurrent: max } : {}),
  });
  guard = new HomeGuard(paths, restore);
  let exiting = false;
  const exit = async (stopTasks: boolean, reply?: (result: unknown) => void) => {
    if (exiting) return reply?.({ stopped: [] });
    exiting = true;
    log('info', stopTasks ? 'shutting down: stopping every task' : 'exiting; tasks keep running');
    guard?.stop();
    try {
      if (stopTasks) {
        const stopped = await supervisor.shutdown();
        reply?.({ stopped: stopped.map((t) => t.id) });
      } else await supervisor.close();
    } catch (error) {
      // The state could not be written (its home is gone): the daemon goes all the same, as it was told.
      log('error', 'could not write the state file on the way out', { error: String(error) });
      reply?.({ stopped: [] });
    }
    server.close();
    rmSync(paths.socket, { force: true });
    lock.close();
    logger.flush();
    setTimeout(() => process.exit(0), 20);
  };

  // The dashboard served by the daemon before this one: served again, on its port, before
  // any client can ask for it (a client asking while that port turns out taken would be told
  // so, instead of being served on another).
  const dashboardPort = rememberedDashboardPort(paths.home);
  if (dashboardPort !== null) {
    const { serveDashboard } = await import('../dashboard/server.js');
    await serveDashboard(supervisor, { port: dashboardPort }).then(
      () => log('info', `serving the dashboard again on 127.0.0.1:${dashboardPort}`),
      (error: Error) => log('warn', `could not serve the dashboard again on 127.0.0.1:${dashboardPort} (${error.message}): corral dashboard serves it on another port`),
    );
  }

  const hooks = { log, onShutdown: (reply: (result: unknown) => void) => void exit(true, reply) };
  let server = await startServer(supervisor, paths.socket, hooks);
  serving = true;
  log('info', 'daemon started', { home: paths.home, socket: paths.socket });
  // After the socket is up, so the client that started the daemon is not kept waiting:
  // its first task then finds the spawner running (55-77 ms of the first start otherwise).
  setImmediate(() => supervisor.prepareLaunches());

  // The home deleted under the daemon (or its socket): made anew from what the daemon holds.
  async function restore(loss: Loss): Promise<void> {
    try {
      ensureHome(paths);
      if (loss.home) {
        destination.reopen();
        // Its working folder was the old home: a folder that no longer exists.
        process.chdir(paths.home);
        const report = await supervisor.restoreHome();
        log('warn', describeRestore(report), { ...report });
      }
      if (loss.socket) {
        // First: closing a server unlinks its path, which would be the new socket's. Open
        // connections stay with the old server until their clients close them.
        server.close();
        server = await startServer(supervisor, paths.socket, hooks);
        if (!loss.home) log('warn', `the socket ${paths.socket} was deleted or replaced: serving a new one`);
      }
    } catch (error) {
      log('error', 'could not make the home anew; trying again', { error: String(error) });
      throw error;
    }
  }
  guard.start();

  // A daemon that is told to go leaves the tasks running: the next daemon adopts them.
  process.on('SIGTERM', () => void exit(false));
  process.on('SIGINT', () => void exit(false));
  process.on('SIGHUP', () => {});
}

main().catch((error) => {
  process.stderr.write(`corral daemon: ${error?.stack ?? error}\n`);
  process.exit(1);
});

function describeRestore(report: HomeRestore): string {
  const parts = ['the home was deleted; made it anew with the state the daemon holds (every task, every read cursor)'];
  parts.push('earlier lines of this log are gone');
  if (report.logsGone.length) parts.push(`so are the logs of the finished tasks ${report.logsGone.join(' ')}`);
  if (report.mirrored.length) parts.push(`the output of ${report.mirrored.join(' ')}, earlier and to come, is copied back from the deleted files they still write`);
  if (report.unreadable.length) parts.push(`the output of ${report.unreadable.join(' ')} cannot be read until they restart: they write into deleted files that could not be copied`);
  return parts.join('; ');
}

/**
 * Under --lite-mode node has no WebAssembly, so node's own fetch (undici) cannot load its
 * HTTP parser, and says so in a rejection nobody can catch as soon as something looks for
 * fetch (axios does, inside wait-on). Nothing in the daemon uses fetch: http checks go
 * through node:http. That rejection is expected, not an error.
 */
function isLiteModeFetch(error: unknown): boolean {
  return error instanceof ReferenceError && error.message === 'WebAssembly is not defined' && String(error.stack).includes('undici');
}
