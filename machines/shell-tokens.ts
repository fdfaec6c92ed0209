/**
 * A command line read the way sh reads it, for the few shapes the hook recognises: words
 * (quotes and backslashes removed), the operators `|`, `||`, `&&`, `;`, a command
 * substitution's `$(`, `)` and backquotes. Redirections to /dev/null or onto another
 * descriptor (`2>/dev/null`, `>/dev/null 2>&1`) change nothing of what a command reaches
 * and are dropped. Anything whose meaning would need the shell itself (variables, globs,
 * a background `&`, a subshell, a here-document, a line break) makes it unreadable: null.
 * Pure.
 */
export type ShellToken = { word: string } | { op: '|' | '||' | '&&' | ';' | '$(' | ')' | '`' };

const REDIRECT = /(?:[0-9]?>>?|&>>?)[ \t]*(?:\/dev\/null|&[0-9])(?=[ \t|;&)`]|$)/y;
const OPERATORS = ['||', '&&', '$(', '|', ';', ')', '`'] as const;
/** Characters that end a bare word. */
const ENDS_WORD = new Set([' ', '\t', '|', '&', ';', '(', ')', '<', '>', '`']);
/** Characters whose meaning in a bare word is the shell's to give (expansion, globbing, comments, braces, line breaks). */
const SHELL_MEANING = /[$*?[\]{}~#\n\r!]/;

export function shellTokens(command: string): ShellToken[] | null {
  const tokens: ShellToken[] = [];
  let at = 0;
  while (at < command.length) {
    const c = command[at]!;
    if (c === ' ' || c === '\t') {
      at++;
      continue;
    }
    REDIRECT.lastIndex = at;
    const redirect = REDIRECT.exec(command);
    if (redirect) {
      at += redirect[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => command.startsWith(o, at));
    if (op) {
      tokens.push({ op });
      at += op.length;
      continue;
    }
    if (ENDS_WORD.has(c)) return null; // `&`, `(`, `<`, a redirection elsewhere
    const word = readWord(command, at);
    if (!word) return null;
    tokens.push({ word: word.text });
    at = word.end;
  }
  return tokens;
}

/** One word from `at`: bare characters, '…' and "…" (without expansions inside), `\x`. */
function readWord(command: string, at: number): { text: string; end: number } | null {
  let text = '';
  while (at < command.length && !ENDS_WORD.has(command[at]!)) {
    const c = command[at]!;
    if (c === "'") {
      const close = command.indexOf("'", at + 1);
      if (close < 0) return null;
      text += command.slice(at + 1, close);
      at = close + 1;
    } else if (c === '"') {
      const close = command.indexOf('"', at + 1);
      if (close < 0) return null;
      const inner = command.slice(at + 1, close);
      if (/[$`\\]/.test(inner)) return null;
      text += inner;
      at = close + 1;
    } else if (c === '\\') {
      if (at + 1 >= command.length || command[at + 1] === '\n') return null;
      text += command[at + 1];
      at += 2;
    } else {
      if (SHELL_MEANING.test(c)) return null;
      text += c;
      at++;
    }
  }
  return { text, end: at };
}
