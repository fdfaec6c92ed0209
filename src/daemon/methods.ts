/**
 * The RPC method table: name → zod schema of the params → handler on the supervisor.
 * Everything a client sends is checked here before it reaches the supervisor.
 */
import { z } from 'zod/v3'; // see src/config/normalize.ts
import { EVENT_KINDS } from '../../machines/event-kind.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { rememberDashboard } from './dashboard-memory.js';

const ref = z.string().min(1, 'a task id or name is required');
const duration = z.union([z.string(), z.number()]);

const waitMs = z.number().min(0).max(60_000);
const eventFilter = {
  ids: z.array(ref).optional(),
  env: z.string().optional(),
  session: z.string().optional(),
  kinds: z.array(z.enum(EVENT_KINDS)).optional(),
  limit: z.number().int().min(1).optional(),
};

interface Method {
  params: z.ZodType;
  /** `signal` aborts when the client's connection closes: a long wait or poll stops with it. */
  handler: (supervisor: Supervisor, params: any, signal: AbortSignal) => Promise<unknown>;
}

export const METHODS: Record<string, Method> = {
  // Checked field by field where every front end's task options are: config/normalize.ts.
  run: {
    params: z.object({}).passthrough(),
    handler: (s, p) => s.run(p),
  },
  list: {
    params: z.object({ env: z.string().optional(), session: z.string().optional(), project: z.string().optional() }).optional(),
    handler: (s, p) => s.list(p ?? {}),
  },
  orchestrate: {
    params: z.object({
      file: z.string().optional(),
      name: z.string().optional(),
      tasks: z
        .array(
          z.object({
            name: z.string().optional(),
            command: z.string().min(1, 'the command is empty'),
            health: z.array(z.string()).optional(),
            dependsOn: z
              .array(z.union([z.string(), z.object({ name: z.string(), condition: z.string().optional() })]))
              .optional(),
          }),
        )
        .optional(),
      callerEnv: z.record(z.string(), z.string()).optional(),
      cwd: z.string().optional(),
      only: z.array(z.string().min(1)).optional(),
      profiles: z.array(z.string().min(1)).optional(),
    }),
    handler: (s, p) => s.orchestrate(p),
  },
  waitEnv: {
    params: z.object({ env: z.string().min(1), timeout: duration.optional() }),
    handler: (s, p) => s.waitEnv(p.env, p.timeout),
  },
  down: {
    params: z.object({ env: z.string().min(1), signal: z.string().optional(), grace: duration.optional(), tasks: z.array(z.string().min(1)).optional() }),
    handler: (s, p) => s.down(p.env, p),
  },
  scale: {
    // Each target (`api=3`) is checked where the CLI's are: machines/policies/replicas.ts.
    params: z.object({ targets: z.array(z.string()), env: z.string().min(1).optional() }),
    handler: (s, p) => s.scale(p),
  },
  get: { params: z.object({ ref }), handler: (s, p) => s.get(p.ref) },
  describe: { params: z.object({ ref }), handler: (s, p) => s.describe(p.ref) },
  monitor: {
    params: z.object({
      ids: z.array(ref).optional(),
      env: z.string().optional(),
      alertOn: z.string().optional(),
      restartOnFailure: z.boolean().optional(),
      checkInterval: duration.optional(),
    }),
    handler: (s, p) => s.monitor(p),
  },
  events: {
    params: z.object({ since: z.number().int().min(0), timeoutMs: waitMs, ...eventFilter }),
    handler: (s, p, signal) => s.eventsSince(p.since, p.timeoutMs, p, signal),
  },
  eventsNew: {
    params: z.object({ consumer: z.string().min(1).max(128), timeoutMs: waitMs, ...eventFilter }),
    handler: (s, p, signal) => s.eventsNew(p.consumer, p.timeoutMs, p, signal),
  },
  read: {
    params: z.object({
      ref,
      stream: z.enum(['stdout', 'stderr', 'both']).optional(),
      offset: z.number().optional(),
      newAs: z.string().min(1).max(128).optional(),
      tail: z.number().optional(),
      filter: z.string().optional(),
      maxBytes: z.number().optional(),
      encoding: z.enum(['utf8', 'base64', 'auto']).optional(),
      since: z.string().optional(),
      until: z.string().optional(),
    }),
    handler: (s, p) => s.read(p),
  },
  wait: {
    // `until` is checked where every front end's is: config/wait.ts.
    params: z.object({
      ref,
      until: z.string(),
      timeout: duration.optional(),
      from: z.union([z.enum(['run', 'start', 'end']), z.object({ stdout: z.number().int().min(0), stderr: z.number().int().min(0) })]).optional(),
    }),
    handler: (s, p, signal) => s.wait(p.ref, p.until, p.timeout, { ...(p.from !== undefined ? { from: p.from } : {}), signal }),
  },
  kill: {
    params: z.object({
      refs: z.array(ref).optional(),
      all: z.boolean().optional(),
      signal: z.string().optional(),
      grace: duration.optional(),
    }),
    handler: (s, p) => s.kill(p),
  },
  send: {
    params: z.object({ ref, text: z.string().max(1024 * 1024, 'at most 1 MB at once').optional(), eof: z.boolean().optional() }),
    handler: (s, p) => s.send(p),
  },
  restart: { params: z.object({ ref }), handler: (s, p) => s.restart(p.ref) },
  remove: { params: z.object({ refs: z.array(ref).min(1) }), handler: (s, p) => s.remove(p.refs) },
  prune: { params: z.object({ olderThan: z.string().optional() }).optional(), handler: (s, p) => s.prune(p ?? {}) },
  diskUse: { params: z.object({}).optional(), handler: (s) => s.diskUse() },
  endSession: { params: z.object({ session: z.string().min(1, 'a session is required') }), handler: (s, p) => s.endSession(p.session) },
  owners: { params: z.object({ pids: z.array(z.number().int().positive()).max(100_000) }), handler: (s, p) => s.owners(p.pids) },
  status: { params: z.object({}).optional(), handler: (s) => s.status() },
  // Loaded on the first call only: a daemon nobody asked for the dashboard never pays for it.
  // Remembered in the home: the next daemon serves it again on the same port.
  dashboard: {
    params: z.object({ port: z.number().int().min(0).max(65535).optional() }).optional(),
    handler: async (s, p) => {
      const address = await (await import('../dashboard/server.js')).serveDashboard(s, p ?? {});
      rememberDashboard(s.paths.home, address.port);
      return address;
    },
  },
};
