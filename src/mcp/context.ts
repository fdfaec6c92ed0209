/**
 * What every MCP tool needs: the home's daemon (reached per call, started on demand), the
 * folder and environment of the MCP server (the defaults of spawned commands), and the
 * cursor name of the connected client.
 */
import { connectOrStart } from '../client/daemon.js';
import { RemoteSupervisor } from '../client/remote.js';
import type { HomePaths } from '../home.js';

/** Cursor names the daemon accepts: `[A-Za-z0-9._:-]{1,128}`. */
const CURSOR_PREFIX = 'mcp:';
const CURSOR_MAX = 128;

/** `mcp:<client name>`, the client's name reduced to what a cursor name may hold. */
function consumerName(clientName: string | undefined): string {
  const cleaned = (clientName ?? '')
    .replace(/[^A-Za-z0-9._:-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, CURSOR_MAX - CURSOR_PREFIX.length);
  return `${CURSOR_PREFIX}${cleaned || 'client'}`;
}

export class McpContext {
  /** Open daemon connections of calls under way, closed when the server shuts down. */
  private readonly open = new Set<RemoteSupervisor>();
  private closed = false;

  constructor(
    readonly paths: HomePaths,
    /** Relative `cwd` and `file` arguments are resolved here; it is a spawned command's default folder. */
    readonly cwd: string,
    /** The MCP server's environment: the base of every spawned command's. */
    readonly baseEnv: Record<string, string>,
    private readonly clientName: () => string | undefined,
  ) {}

  /** The session of this client's tasks, when a call names none: CORRAL_SESSION of the server, else the client's name. */
  session(): string {
    return this.baseEnv.CORRAL_SESSION || this.clientName() || 'mcp';
  }

  /**
   * The daemon's cursor consumer for "new" reads: the name a call gives (`as`, a cursor of
   * its own), else one per MCP client (by name), so that it survives the agent's restarts.
   */
  consumer(as?: string): string {
    return as ?? consumerName(this.clientName());
  }

  /**
   * Runs `fn` on a fresh connection to the daemon (starting it when nobody serves the
   * home), closed afterwards. One connection per call: a daemon that was stopped or
   * restarted between calls is simply reached again, and a cancelled call (`signal`) ends
   * its waits by closing its connection.
   */
  async withApi<T>(fn: (api: RemoteSupervisor) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) throw new Error('the MCP server is shutting down');
    const api = new RemoteSupervisor(await connectOrStart(this.paths));
    if (this.closed) {
      api.close();
      throw new Error('the MCP server is shutting down');
    }
    this.open.add(api);
    const onAbort = () => api.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn(api);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.open.delete(api);
      api.close();
    }
  }

  /** Ends every call under way (their daemon connections close; the tasks keep running). */
  close(): void {
    this.closed = true;
    for (const api of this.open) api.close();
    this.open.clear();
  }
}

/** process.env without its undefined entries. */
export function definedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
