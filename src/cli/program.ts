/**
 * The commander program, built from the command table: it prints the help and every usage
 * error, and runs whatever the fast path left to it.
 */
import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';
import { COMMANDS, GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './spec.js';
import { VERSION } from '../version.js';

// Through require: commander is CommonJS, and its ESM wrapper costs several ms more.
const { Command, Option } = createRequire(import.meta.url)('commander') as typeof CommanderModule;
type Command = CommanderModule.Command;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function addOptions(command: Command, options: OptionSpec[]): Command {
  for (const o of options) {
    const option = new Option(o.flags, o.description);
    if (o.choices) option.choices(o.choices);
    if (o.repeatable) option.argParser(collect);
    command.addOption(option);
  }
  return command;
}

/** `run(load)` turns the table's loader into commander's action: (...args, options, command). */
export function buildProgram(run: (spec: CommandSpec, args: unknown[], globals: Record<string, unknown>) => Promise<void>): Command {
  const program = new Command('corral')
    .description('Run commands in the background under stable ids, read their output by offset, stop whole trees.')
    .version(VERSION)
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'corral: ')) });
  addOptions(program, GLOBAL_OPTIONS);
  const byPath = new Map<string, Command>([['', program]]);
  for (const spec of COMMANDS) {
    const parent = byPath.get(spec.words.slice(0, -1).join(' '))!;
    const command = addOptions(parent.command(spec.words[spec.words.length - 1]!), GLOBAL_OPTIONS).description(spec.description);
    for (const a of spec.args ?? []) command.argument(a.name, a.description);
    addOptions(command, spec.options ?? []);
    if (spec.passThrough) command.passThroughOptions();
    if (spec.load) {
      command.action(async (...args: unknown[]) => {
        const self = args[args.length - 1] as Command;
        await run(spec, args.slice(0, -1), self.optsWithGlobals());
      });
    }
    byPath.set(spec.words.join(' '), command);
  }
  return program;
}
