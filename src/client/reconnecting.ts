/**
 * A connection to the daemon that outlives the daemon: for a client that stays open (the
 * terminal UI). A call after the daemon's connection closed connects again to whichever
 * daemon serves the home now; while none does, calls fail, and nothing starts one (a
 * daemon the user stopped stays stopped).
 */
import { failure } from '../errors.js';
import type { HomePaths } from '../home.js';
import { connectToDaemon } from './daemon.js';
import type { Rpc, RpcClient } from './rpc.js';

export class ReconnectingRpc implements Rpc {
  private connecting: Promise<RpcClient> | null = null;
  private ended = false;

  constructor(
    private readonly paths: HomePaths,
    private current: RpcClient | null,
  ) {}

  async call<T>(method: string, params: unknown = {}): Promise<T> {
    return (await this.connection()).call<T>(method, params);
  }

  close(): void {
    this.ended = true;
    this.current?.close();
    this.current = null;
  }

  private connection(): Promise<RpcClient> {
    if (this.current && !this.current.closed) return Promise.resolve(this.current);
    if (this.ended) return Promise.reject(failure('the connection to the daemon was closed'));
    // Calls made together share one new connection.
    this.connecting ??= connectToDaemon(this.paths)
      .then((client) => {
        if (!client) throw failure(`no daemon is running for ${this.paths.home}`);
        this.current = client;
        return client;
      })
      .finally(() => {
        this.connecting = null;
      });
    return this.connecting;
  }
}
