/**
 * One error type for everything a user can get wrong or that can fail, carrying the
 * exit code the CLI returns: 1 the operation failed, 2 bad usage or input, 3 no such task.
 */
type ErrorKind = 'failed' | 'usage' | 'not-found';

const EXIT_CODES: Record<ErrorKind, number> = { failed: 1, usage: 2, 'not-found': 3 };

export class CorralError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.name = 'CorralError';
    this.kind = kind;
  }
  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
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
