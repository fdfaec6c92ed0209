/**
 * A tmux server of a test's own (`tmux -L <unique name>`, no config file), so nothing of
 * the user's tmux or another test's is touched, and all of it ends with `kill()`.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export interface TmuxServer {
  /** Runs a tmux command on this server and returns what it printed. */
  (...args: string[]): string;
  kill(): void;
}

let count = 0;

/** The environment tmux starts panes with: not inside another tmux, no home of the test runner's. */
function tmuxEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['TMUX', 'TMUX_PANE', 'ENV', 'CORRAL_HOME']) delete env[k];
  return env;
}

export function tmuxServer(label: string): TmuxServer {
  const name = `corral-${label}-${process.pid}-${++count}`;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', name, '-f', '/dev/null', ...args], { encoding: 'utf8', env: tmuxEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return Object.assign(tmux, {
    kill() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      // tmux leaves its socket file behind.
      rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid!()}`, name), { force: true });
    },
  });
}
