/**
 * A user's regular expression (filters, alert rules, log checks). A leading `(?i)` makes
 * it case-insensitive, as in grep -P, Go and Python, since JavaScript has no inline flags.
 * Throws the engine's SyntaxError when the pattern is not one.
 */
export function userRegExp(pattern: string): RegExp {
  return pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), 'i') : new RegExp(pattern);
}
