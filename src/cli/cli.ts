/**
 * The corral CLI. Start-up is kept lean: a call the fast path understands loads only the
 * client and the one command it runs; help and usage errors load commander.
 */
import { CorralError } from '../errors.js';
import { cliWording } from './wording.js';
import { Context, type GlobalOptions } from './context.js';
import { parseFast, type FastCall } from './fast.js';
import type { CommandSpec } from './spec.js';
import { parseOptionValues } from './values.js';

let ctx: Context | null = null;

/** Runs a command: `args` are its arguments, then its options, whose values the table declares. */
async function run(spec: CommandSpec, args: unknown[], globals: Record<string, unknown>): Promise<void> {
  const options = parseOptionValues(spec.options ?? [], (args[args.length - 1] ?? {}) as Record<string, unknown>);
  ctx = new Context(globals as GlobalOptions);
  const fn = await spec.load!();
  process.exitCode = await fn(ctx, ...args.slice(0, -1), options);
}

/** Runs the CLI on `process.argv`-like words; `fast` is the fast path's reading of them, when taken already. */
export async function main(argv: string[], fast: FastCall | null = parseFast(argv.slice(2))): Promise<void> {
  try {
    if (fast) {
      await run(fast.spec, fast.args, fast.options);
    } else {
      const { buildProgram } = await import('./program.js');
      await buildProgram(run).parseAsync(argv);
    }
  } catch (error) {
    const commanderExit = (error as { code?: unknown; exitCode?: unknown })?.code;
    if (typeof commanderExit === 'string' && commanderExit.startsWith('commander.')) {
      // Help and version exit 0; every usage mistake exits 2 (commander printed the sentence).
      process.exitCode = (error as { exitCode: number }).exitCode === 0 ? 0 : 2;
    } else if (error instanceof CorralError) {
      process.stderr.write(`corral: ${error.worded(cliWording)}\n`);
      process.exitCode = error.exitCode;
    } else {
      const e = error as NodeJS.ErrnoException;
      process.stderr.write(`corral: ${e?.message ?? String(error)}\n`);
      process.exitCode = 1;
    }
  } finally {
    ctx?.close();
  }
}
