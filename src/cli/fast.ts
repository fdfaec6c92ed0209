/**
 * The fast path of the CLI: node's own parseArgs reads any call it fully understands,
 * so a plain `corral ls` never loads commander (which costs more start-up than all the
 * rest of the CLI). Anything else — help, a mistake, an unknown word — returns null and
 * goes to commander, which prints the help or the exact error.
 */
import { parseArgs } from 'node:util';
import { COMMANDS, GLOBAL_OPTIONS, parseFlags, type CommandSpec, type OptionSpec } from './spec.js';

export interface FastCall {
  spec: CommandSpec;
  /** The declared arguments in order (a variadic one as an array), then the options. */
  args: unknown[];
  options: Record<string, unknown>;
}

type ParseConfig = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

function configOf(options: OptionSpec[]): ParseConfig {
  const config: ParseConfig = {};
  for (const o of options) {
    const f = parseFlags(o.flags);
    config[f.long] = { type: f.takesValue ? 'string' : 'boolean', ...(f.short ? { short: f.short } : {}), ...(o.repeatable ? { multiple: true } : {}) };
  }
  return config;
}

const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** Splits `run`'s tokens: options up to the first word (or `--`), the command after. */
function splitPassThrough(tokens: string[], config: ParseConfig): { options: string[]; words: string[] } | null {
  const options: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '--') return { options, words: tokens.slice(i + 1) };
    if (!t.startsWith('-') || t === '-') return { options, words: tokens.slice(i) };
    const name = t.startsWith('--') ? t.slice(2).split('=')[0]! : Object.keys(config).find((k) => config[k]!.short === t.slice(1));
    const entry = name === undefined ? undefined : config[name];
    if (!entry) return null;
    options.push(t);
    if (entry.type === 'string' && !t.includes('=')) {
      if (i + 1 >= tokens.length) return null;
      options.push(tokens[++i]!);
    }
  }
  return { options, words: [] };
}

export function parseFast(argv: string[]): FastCall | null {
  if (argv.some((t) => t === '-h' || t === '--help' || t === '-V' || t === '--version')) {
    const cut = argv.indexOf('--');
    const before = cut < 0 ? argv : argv.slice(0, cut);
    if (before.some((t) => t === '-h' || t === '--help' || t === '-V' || t === '--version')) return null;
  }
  // Global options may come before the command's words.
  const globals = configOf(GLOBAL_OPTIONS);
  let at = 0;
  const leading: string[] = [];
  while (at < argv.length && argv[at]!.startsWith('-')) {
    const t = argv[at]!;
    const name = t.slice(2).split('=')[0]!;
    if (!t.startsWith('--') || !globals[name]) return null;
    leading.push(t);
    if (globals[name]!.type === 'string' && !t.includes('=')) {
      if (at + 1 >= argv.length) return null;
      leading.push(argv[++at]!);
    }
    at++;
  }
  const rest = argv.slice(at);
  const spec = [...COMMANDS]
    .filter((c) => c.words.every((w, i) => rest[i] === w))
    .sort((a, b) => b.words.length - a.words.length)[0];
  if (!spec?.load) return null;
  const tokens = rest.slice(spec.words.length);
  const config = { ...globals, ...configOf(spec.options ?? []) };

  let optionTokens = tokens;
  let words: string[] | null = null;
  if (spec.passThrough) {
    const split = splitPassThrough(tokens, config);
    if (!split) return null;
    optionTokens = split.options;
    words = split.words;
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...leading, ...optionTokens], options: config, strict: true, allowPositionals: !spec.passThrough }) as typeof parsed;
  } catch {
    return null;
  }
  const options: Record<string, unknown> = {};
  // `--no-prefix` sets `prefix: false`, as commander reads it.
  for (const [name, value] of Object.entries(parsed.values)) {
    if (name.startsWith('no-') && value === true) options[camel(name.slice(3))] = false;
    else options[camel(name)] = value;
  }
  for (const o of spec.options ?? []) {
    const value = options[parseFlags(o.flags).key];
    if (o.choices && value !== undefined && !o.choices.includes(String(value))) return null;
  }

  const positionals = words ?? parsed.positionals;
  const args: unknown[] = [];
  let next = 0;
  for (const a of spec.args ?? []) {
    const required = a.name.startsWith('<');
    if (a.name.endsWith('...>') || a.name.endsWith('...]')) {
      const all = positionals.slice(next);
      if (required && all.length === 0) return null;
      args.push(all);
      next = positionals.length;
    } else {
      const value = positionals[next];
      if (required && value === undefined) return null;
      args.push(value);
      if (value !== undefined) next++;
    }
  }
  if (next < positionals.length) return null;
  return { spec, args: [...args, options], options };
}
