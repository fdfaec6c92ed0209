/**
 * The daemon: started on demand by the first client that needs it, detached, one per
 * home. It holds the home lock, serves the socket, and keeps the supervisor's tasks
 * running between CLI calls. Usage: node daemon/main.js --home DIR
 */
import { rmSync } from 'node:fs';
import { ensureHome, homePaths, resolveHome } from '../home.js';
import { acquireLock } from './lock.js';

async function main(): Promise<void> {
  // Files the daemon creates (state, logs, socket) are the user's alone; tasks get the user's umask back.
  const userUmask = process.umask(0o077);
  const flag = process.argv.indexOf('--home');
  const paths = homePaths(resolveHome(flag >= 0 ? process.argv[flag + 1] : undefined));
  ensureHome(paths);

  const lock = await acquireLock(paths.home);
  if (!lock) return; // Another daemon serves this home; the client connects to it.
  // Loaded only by the daemon that serves: one that loses the lock exits before paying for them.
  const [{ pino }, { Supervisor }, { startServer }] = await Promise.all([
    import('pino'),
    import('../supervisor/supervisor.js'),
    import('./server.js'),
  ]);

  const logger = pino({ base: { pid: process.pid } }, pino.destination({ dest: paths.daemonLog, sync: false }));
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
  let exiting = false;
  const exit = async (stopTasks: boolean, reply?: (result: unknown) => void) => {
    if (exiting) return reply?.({ stopped: [] });
    exiting = true;
    log('info', stopTasks ? 'shutting down: stopping every task' : 'exiting; tasks keep running');
    if (stopTasks) {
      const stopped = await supervisor.shutdown();
      reply?.({ stopped: stopped.map((t) => t.id) });
    } else await supervisor.close();
    server.close();
    rmSync(paths.socket, { force: true });
    lock.close();
    logger.flush();
    setTimeout(() => process.exit(0), 20);
  };

  const server = await startServer(supervisor, paths.socket, {
    log,
    onShutdown: (reply) => void exit(true, reply),
  });
  log('info', 'daemon started', { home: paths.home, socket: paths.socket });

  // A daemon that is told to go leaves the tasks running: the next daemon adopts them.
  process.on('SIGTERM', () => void exit(false));
  process.on('SIGINT', () => void exit(false));
  process.on('SIGHUP', () => {});
}

main().catch((error) => {
  process.stderr.write(`corral daemon: ${error?.stack ?? error}\n`);
  process.exit(1);
});

/**
 * Under --lite-mode node has no WebAssembly, so node's own fetch (undici) cannot load its
 * HTTP parser, and says so in a rejection nobody can catch as soon as something looks for
 * fetch (axios does, inside wait-on). Nothing in the daemon uses fetch: http checks go
 * through node:http. That rejection is expected, not an error.
 */
function isLiteModeFetch(error: unknown): boolean {
  return error instanceof ReferenceError && error.message === 'WebAssembly is not defined' && String(error.stack).includes('undici');
}
