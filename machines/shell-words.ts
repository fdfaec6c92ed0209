/**
 * Shell words as plain strings: quoting an argument the way `sh` reads it back, and
 * splitting a command that needs no shell into its words. Pure: the CLI quotes with it
 * (`run -- a b c`, the hook) and the launchers decide with it whether a shell is needed.
 */
// dash's builtins and keywords, and bash's (where /bin/sh is bash): a program of that name
// would not be what the shell runs.
const BUILTINS = new Set(
  '. : [ alias bg break cd chdir command continue echo eval exec exit export false fg getopts hash jobs kill local printf pwd read readonly return set shift test times trap true type ulimit umask unalias unset wait if then else elif fi case esac for while until do done function select time in ! source let declare typeset builtin shopt coproc enable disown suspend logout dirs pushd popd history mapfile readarray compgen complete compopt caller bind help'.split(' '),
);
/** The blanks sh splits words on; other spaces (U+00A0, \r, …) are part of a word to it. */
const BLANKS = /^[ \t\n]+|[ \t\n]+$/g;

/** A command without the blanks before and after it (only those sh itself ignores). */
export const trimBlanks = (command: string): string => command.replace(BLANKS, '');

const SAFE_WORD = /^[A-Za-z0-9_\-.,:/@%+=]+$/;

/** One argument as the shell would need it written: bare when safe, single-quoted otherwise. */
export function shellQuote(word: string): string {
  return SAFE_WORD.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argv list as one command line (`run -- a b c`, `command: [a, b, c]`): each word quoted as it needs. */
export function quoteWords(words: string[]): string {
  return words.map(shellQuote).join(' ');
}

/**
 * One word as `run -- a b c` writes it (see shellQuote): bare characters that mean nothing
 * to the shell, single-quoted text, and `\'` for a quote inside quoted text.
 */
const WORD = /(?:[A-Za-z0-9_\-.,:/@%+=]+|'[^']*'|\\')+/y;
const PART = /[A-Za-z0-9_\-.,:/@%+=]+|'([^']*)'|\\'/g;

function unquote(word: string): string {
  return word.replace(PART, (part, quoted: string | undefined) => (quoted !== undefined ? quoted : part === "\\'" ? "'" : part));
}

/**
 * The words of a command that needs no shell (`sleep 300`, `node api.js --port 3000`,
 * `python3 -c 'print(1)'`): words separated by spaces, quoted at most with single quotes,
 * with no expansion, redirection, assignment or builtin. Null when a shell must read it.
 */
export function simpleWords(command: string): string[] | null {
  const trimmed = trimBlanks(command);
  const words: string[] = [];
  let at = 0;
  while (at < trimmed.length) {
    WORD.lastIndex = at;
    const match = WORD.exec(trimmed);
    if (!match) return null;
    at = WORD.lastIndex;
    if (at < trimmed.length && trimmed[at] !== ' ') return null;
    while (trimmed[at] === ' ') at++;
    // An unquoted `=` in the first word is an assignment (`FOO=1 cmd`), not a program.
    const word = unquote(match[0]);
    // The shell looks a name up after removing its quotes: 'exit' is still the builtin.
    if (words.length === 0 && (BUILTINS.has(word) || /^[^']*=/.test(match[0]))) return null;
    words.push(word);
  }
  return words.length > 0 ? words : null;
}
