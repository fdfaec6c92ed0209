/** How this corral is invoked, so that a command the hook rewrites runs the same one. */
import { shellQuote } from '../../../../machines/shell-words.js';

export function selfCommand(): string {
  const script = process.argv[1] ?? 'corral';
  return `${shellQuote(process.execPath)} ${shellQuote(script)}`;
}
