/**
 * Tool errors: every failure of a tool call comes back as a tool result with
 * `isError: true` and one sentence, never as a protocol error or a crashed server. The
 * supervisor's sentences name CLI flags (`--filter: …`); here they name tool arguments.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { usageError } from '../errors.js';
import { userRegExp } from '../../machines/pattern.js';

/** CLI flag → the tool argument that carries the same value. */
const ARGUMENT_OF_FLAG: Record<string, string> = {
  filter: 'filter',
  'max-bytes': 'max_bytes',
  tail: 'tail',
  offset: 'since',
  timeout: 'timeout',
  'wait-timeout': 'timeout',
  grace: 'grace',
  signal: 'signal',
  'stop-signal': 'signal',
  cwd: 'cwd',
  name: 'name',
  health: 'health',
  env: 'env',
  all: 'all: true',
};

function toolMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw
    .replace(/(^|[\s(,])--([a-z][a-z-]*)\b/g, (whole, before: string, flag: string) =>
      ARGUMENT_OF_FLAG[flag] ? `${before}${ARGUMENT_OF_FLAG[flag]}` : whole,
    )
    .replace(/^invalid task option (\w+): /, '$1: ')
    .replace(/`corral ls`/g, 'background_list')
    .replace(/`corral down ([^`]+)`/g, 'background_kill with env "$1"')
    .trim();
  return message.length > 0 ? message : 'the call failed for an unknown reason';
}

export function toolError(error: unknown): CallToolResult {
  return { content: [{ type: 'text', text: toolMessage(error) }], isError: true };
}

/** A usage error naming the tool argument at fault. */
export const argumentError = (argument: string, message: string) => usageError(`${argument}: ${message}`);

/** Compiles a regex given as a tool argument, or says in one sentence why it is not one. */
export function checkRegex(argument: string, pattern: string): void {
  try {
    userRegExp(pattern);
  } catch (error) {
    // V8: `Invalid regular expression: /(/: Unterminated group` → `Unterminated group`.
    let why = (error as Error).message.replace(/^Invalid regular expression: /, '');
    const quoted = `/${pattern}/`;
    if (why.startsWith(quoted)) why = why.slice(quoted.length).replace(/^[a-z]*: /, '');
    throw argumentError(argument, `"${pattern}" is not a valid regular expression (${why})`);
  }
}
