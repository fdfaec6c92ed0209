/**
 * How the CLI names what an error points to: options as flags (`maxBytes` → `--max-bytes`),
 * commands as the command line to type.
 */
import type { Wording } from '../errors.js';

/** Keys whose flag is not simply the key in kebab case. */
const FLAGS: Record<string, string> = { newAs: '--as' };

export const cliWording: Wording = (key) => {
  if (key === '@list') return '`corral ls`';
  if (key.startsWith('@down:')) return `\`corral down ${key.slice('@down:'.length)}\``;
  if (key.startsWith('@')) return `\`corral ${key.slice(1)}\``;
  if (FLAGS[key]) return FLAGS[key]!;
  // Not a flag of the CLI's (a path into a document, say): as it is.
  if (!/^[a-z][A-Za-z]*$/.test(key)) return key;
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
};
