/** What every command needs: the home, whether to print JSON, and the supervisor to talk to. */
import { connectOrStart } from '../client/daemon.js';
import { RemoteSupervisor } from '../client/remote.js';
import { homePaths, resolveHome, type HomePaths } from '../home.js';

export interface GlobalOptions {
  home?: string;
  json?: boolean;
}

export class Context {
  readonly paths: HomePaths;
  readonly json: boolean;
  private remote: RemoteSupervisor | null = null;

  constructor(options: GlobalOptions) {
    this.paths = homePaths(resolveHome(options.home));
    this.json = options.json === true;
  }

  /** The daemon's supervisor, starting the daemon if it is not running. */
  async api(): Promise<RemoteSupervisor> {
    if (!this.remote) this.remote = new RemoteSupervisor(await connectOrStart(this.paths));
    return this.remote;
  }

  close(): void {
    this.remote?.close();
    this.remote = null;
  }
}
