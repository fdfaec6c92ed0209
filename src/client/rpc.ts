/** A JSON-RPC 2.0 client over the daemon's Unix socket, one JSON document per line. */
import { connect, type Socket } from 'node:net';
import { CorralError, kindOfRpcCode } from '../errors.js';

/** What a client of the daemon calls through. */
export interface Rpc {
  call<T>(method: string, params?: unknown): Promise<T>;
  close(): void;
}

export class RpcClient implements Rpc {
  private nextId = 1;
  private buffered = '';
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /**
   * Says what the daemon found wrong as it started (a damaged state file), which it tells
   * the first client it answers, once. On stderr unless the client says otherwise.
   */
  onNotice: (notice: string) => void = (notice) => process.stderr.write(`corral: ${notice}\n`);
  /** Resolves when the connection has ended, from either side (the daemon's exit ends it too). */
  readonly ended: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => this.failAll(new CorralError('failed', 'the daemon closed the connection')));
    socket.on('error', () => {});
  }

  static open(path: string): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RpcClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** The daemon closed the connection (it exited), or we did. */
  get closed(): boolean {
    return this.socket.destroyed || !this.socket.writable;
  }

  call<T>(method: string, params: unknown = {}): Promise<T> {
    if (this.closed) {
      return Promise.reject(new CorralError('failed', 'the daemon closed the connection'));
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  /**
   * Ends the connection. The daemon's end of it closing is not waited for: a process done
   * with the daemon exits at once (what it wrote still goes out first; a write under way
   * keeps the process alive), rather than wait for the daemon to be scheduled.
   */
  close(): void {
    this.socket.end();
    this.socket.unref();
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      let reply: { id?: number; notice?: unknown; result?: unknown; error?: { code: number; message: string; data?: { kind?: string; template?: string } } };
      try {
        reply = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof reply.notice === 'string') this.onNotice(reply.notice);
      const waiter = reply.id === undefined ? undefined : this.pending.get(reply.id);
      if (!waiter) continue;
      this.pending.delete(reply.id!);
      if (reply.error) waiter.reject(new CorralError(kindOfRpcCode(reply.error.code), reply.error.data?.template ?? reply.error.message));
      else waiter.resolve(reply.result);
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
