/**
 * A pattern the user gave (`--filter`, `--alert-on`, an MCP `filter`), compiled, or one
 * sentence saying why it is not a regular expression. Light: the CLI checks patterns
 * before it connects to the daemon.
 */
import { userRegExp } from '../../machines/pattern.js';
import { field, usageError } from '../errors.js';

export function compileFilter(pattern: string | undefined, key = 'filter'): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return userRegExp(pattern);
  } catch (error) {
    // V8: `Invalid regular expression: /(/: Unterminated group` → `Unterminated group`.
    let why = (error as Error).message.replace(/^Invalid regular expression: /, '');
    const quoted = `/${pattern}/`;
    if (why.startsWith(quoted)) why = why.slice(quoted.length).replace(/^[a-z]*: /, '');
    throw usageError(`${field(key)}: "${pattern}" is not a valid regular expression (${why})`);
  }
}
