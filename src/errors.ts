/**
 * One error type for everything a user can get wrong or that can fail, carrying the
 * exit code the CLI returns: 1 the operation failed, 2 bad usage or input, 3 no such task.
 *
 * A message names the option at fault by its canonical key (`field('maxBytes')`), not as
 * one front end spells it: the CLI says `--max-bytes`, the MCP server `max_bytes`. The
 * same goes for the command a message points to (`see('list')`: `corral ls`, or the
 * background_list tool). The template crosses the socket as it is; each front end words it.
 */
type ErrorKind = 'failed' | 'usage' | 'not-found';

const EXIT_CODES: Record<ErrorKind, number> = { failed: 1, usage: 2, 'not-found': 3 };

const OPEN = '\u27e8';
const CLOSE = '\u27e9';
const PLACEHOLDER = /\u27e8([^\u27e8\u27e9]+)\u27e9/g;

/** An option (or tool argument) named in a message: `field('maxBytes')`. */
export const field = (key: string): string => `${OPEN}${key}${CLOSE}`;

/** A command a message points to: `see('list')`, `see('down', 'dev')`. */
export const see = (command: 'list' | 'down', argument?: string): string => field(`@${command}${argument === undefined ? '' : `:${argument}`}`);

/** How a front end names fields (`maxBytes`) and commands (`@down:dev`). */
export type Wording = (key: string) => string;

/** The canonical wording: the keys as they are, for logs and raw RPC clients. */
export const canonicalWording: Wording = (key) => (key.startsWith('@') ? key.slice(1).replace(':', ' ') : key);

/**
 * Marks an error as corral's across copies of this module: the bundled CLI entry holds one
 * copy and a command it loads lazily from the compiler's output another, so `instanceof`
 * goes by this mark rather than by the class object.
 */
const MARK = Symbol.for('corral.error');

export class CorralError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [MARK]?: unknown })[MARK] === true;
  }
  readonly [MARK] = true;
  readonly kind: ErrorKind;
  /** The message with its fields as placeholders (see `field`). */
  readonly template: string;
  constructor(kind: ErrorKind, template: string) {
    super(wordTemplate(template, canonicalWording));
    this.name = 'CorralError';
    this.kind = kind;
    this.template = template;
  }
  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
  /** The first field the message names: the one at fault. */
  get field(): string | null {
    const m = /\u27e8([^@\u27e8\u27e9][^\u27e8\u27e9]*)\u27e9/.exec(this.template);
    return m ? m[1]! : null;
  }
  /** The sentence in a front end's words. */
  worded(wording: Wording): string {
    return wordTemplate(this.template, wording);
  }
}

export function wordTemplate(template: string, wording: Wording): string {
  return template.replace(PLACEHOLDER, (_, key: string) => wording(key));
}

export const usageError = (message: string) => new CorralError('usage', message);
export const notFound = (message: string) => new CorralError('not-found', message);
export const failure = (message: string) => new CorralError('failed', message);

/** JSON-RPC error codes for the kinds (application range), and back. */
const RPC_CODES: Record<ErrorKind, number> = { failed: -32001, usage: -32602, 'not-found': -32004 };

export const rpcCodeOf = (kind: ErrorKind): number => RPC_CODES[kind];

export function kindOfRpcCode(code: number): ErrorKind {
  const found = (Object.keys(RPC_CODES) as ErrorKind[]).find((k) => RPC_CODES[k] === code);
  return found ?? 'failed';
}
