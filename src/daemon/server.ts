/**
 * JSON-RPC 2.0 over a Unix socket, one JSON document per line. A bad message gets an
 * error answer and the connection (and the daemon) carries on.
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { CorralError, rpcCodeOf } from '../errors.js';
import { zodToUsage } from '../config/errors.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { METHODS } from './methods.js';

/** A request line longer than this is refused: no client sends one, and it would only eat memory. */
const MAX_LINE = 8 * 1024 * 1024;

interface ServerHooks {
  /** `shutdown` is not a supervisor method: it ends the daemon, so the daemon handles it. */
  onShutdown: (reply: (result: unknown) => void) => void;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

type Reply = { jsonrpc: '2.0'; id: unknown } & ({ result: unknown } | { error: { code: number; message: string; data?: unknown } });

export function startServer(supervisor: Supervisor, socketPath: string, hooks: ServerHooks): Promise<Server> {
  rmSync(socketPath, { force: true });
  const server = createServer((socket) => serve(socket, supervisor, hooks));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      chmodSync(socketPath, 0o600);
      server.off('error', reject);
      resolve(server);
    });
  });
}

function serve(socket: Socket, supervisor: Supervisor, hooks: ServerHooks): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  // What a call waits for is nobody's once its client has gone (a Ctrl-C'd `wait --timeout 30d`;
  // a long poll of events, which leaves its cursor unmoved).
  const gone = new AbortController();
  socket.once('close', () => gone.abort());
  const send = (reply: Reply) => {
    if (socket.destroyed) return;
    // What the daemon found wrong as it started (a damaged state file) rides on the first answer it gives.
    const notice = supervisor.takeNotice();
    socket.write(`${JSON.stringify(notice ? { ...reply, notice } : reply)}\n`);
  };
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_LINE && !buffered.includes('\n')) {
      send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'request too large' } });
      socket.destroy();
      return;
    }
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) void handle(line, supervisor, hooks, send, gone.signal);
    }
  });
}

async function handle(line: string, supervisor: Supervisor, hooks: ServerHooks, send: (r: Reply) => void, gone: AbortSignal): Promise<void> {
  let message: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
  try {
    message = JSON.parse(line);
  } catch {
    return send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'the request is not valid JSON' } });
  }
  const id = message?.id ?? null;
  if (typeof message !== 'object' || message === null || message.jsonrpc !== '2.0' || typeof message.method !== 'string') {
    return send({ jsonrpc: '2.0', id, error: { code: -32600, message: 'not a JSON-RPC 2.0 request' } });
  }
  if (message.method === 'shutdown') {
    return hooks.onShutdown((result) => send({ jsonrpc: '2.0', id, result }));
  }
  const method = Object.hasOwn(METHODS, message.method) ? METHODS[message.method] : undefined;
  if (!method) {
    return send({ jsonrpc: '2.0', id, error: { code: -32601, message: `unknown method "${message.method}"` } });
  }
  try {
    const parsed = method.params.safeParse(message.params ?? {});
    if (!parsed.success) throw zodToUsage(parsed.error, `invalid params of ${message.method}:`);
    const result = await method.handler(supervisor, parsed.data, gone);
    // The journal's lines of this turn are written before the answer: what a client hears of is on disk.
    supervisor.events.flush();
    send({ jsonrpc: '2.0', id, result });
  } catch (error) {
    if (error instanceof CorralError) {
      // The template travels too: each client words the fields its own way.
      send({ jsonrpc: '2.0', id, error: { code: rpcCodeOf(error.kind), message: error.message, data: { kind: error.kind, template: error.template } } });
    } else {
      hooks.log('error', `${message.method} failed`, { error: String((error as Error)?.stack ?? error) });
      send({ jsonrpc: '2.0', id, error: { code: -32603, message: (error as Error)?.message ?? String(error) } });
    }
  }
}
