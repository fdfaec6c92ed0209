#!/usr/bin/env node
/**
 * `node dist/src/ui/main.js [--home DIR]`: the task manager on its own, for as long as
 * `corral ui` is not wired into the CLI (and for the terminal tests). The home is
 * --home > $CORRAL_HOME > $XDG_STATE_HOME/corral > ~/.local/state/corral, as everywhere.
 */
import { CorralError } from '../errors.js';
import { Context } from '../cli/context.js';
import { ui } from '../cli/commands/ui.js';

const args = process.argv.slice(2);
const at = args.indexOf('--home');
const home = at >= 0 ? args[at + 1] : undefined;
const ctx = new Context(home !== undefined ? { home } : {});
try {
  process.exitCode = await ui(ctx);
} catch (error) {
  process.stderr.write(`corral: ${(error as Error)?.message ?? String(error)}\n`);
  process.exitCode = error instanceof CorralError ? error.exitCode : 1;
} finally {
  ctx.close();
}
