/**
 * The RPC method table: name → zod schema of the params → handler on the supervisor.
 * Everything a client sends is checked here before it reaches the supervisor.
 */
import { z } from 'zod/v3'; // see src/config/normalize.ts
import type { Supervisor } from '../supervisor/supervisor.js';

const ref = z.string().min(1, 'a task id or name is required');
const duration = z.union([z.string(), z.number()]);

interface Method {
  params: z.ZodType;
  handler: (supervisor: Supervisor, params: any) => Promise<unknown>;
}

export const METHODS: Record<string, Method> = {
  // Checked field by field where every front end's task options are: config/normalize.ts.
  run: {
    params: z.object({}).passthrough(),
    handler: (s, p) => s.run(p),
  },
  list: { params: z.object({ env: z.string().optional() }).optional(), handler: (s, p) => s.list(p ?? {}) },
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
            dependsOn: z.array(z.string()).optional(),
          }),
        )
        .optional(),
      callerEnv: z.record(z.string(), z.string()).optional(),
      cwd: z.string().optional(),
    }),
    handler: (s, p) => s.orchestrate(p),
  },
  waitEnv: {
    params: z.object({ env: z.string().min(1), timeout: duration.optional() }),
    handler: (s, p) => s.waitEnv(p.env, p.timeout),
  },
  down: {
    params: z.object({ env: z.string().min(1), signal: z.string().optional(), grace: duration.optional() }),
    handler: (s, p) => s.down(p.env, p),
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
    params: z.object({
      since: z.number().int().min(0),
      timeoutMs: z.number().min(0).max(60_000),
      ids: z.array(ref).optional(),
      env: z.string().optional(),
    }),
    handler: (s, p) => s.eventsSince(p.since, p.timeoutMs, p),
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
    }),
    handler: (s, p) => s.read(p),
  },
  wait: {
    params: z.object({ ref, until: z.enum(['exit', 'running', 'healthy']), timeout: duration.optional() }),
    handler: (s, p) => s.wait(p.ref, p.until, p.timeout),
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
  restart: { params: z.object({ ref }), handler: (s, p) => s.restart(p.ref) },
  remove: { params: z.object({ refs: z.array(ref).min(1) }), handler: (s, p) => s.remove(p.refs) },
  prune: { params: z.object({}).optional(), handler: (s) => s.prune() },
  owners: { params: z.object({ pids: z.array(z.number().int().positive()).max(100_000) }), handler: (s, p) => s.owners(p.pids) },
  status: { params: z.object({}).optional(), handler: (s) => s.status() },
};
