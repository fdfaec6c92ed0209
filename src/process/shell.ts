/**
 * How a command is started. dash forks for a lone command instead of replacing
 * itself, so a simple command is prefixed with `exec`: the task's pid is then the
 * program's own, and its exit code and signals are seen exactly, not through a shell.
 */
const SHELL_SYNTAX = /[;&|<>()$`\\"'*?[\]#~={}%!\n\r\t]/;
const BUILTINS = new Set(
  '. : [ alias bg break cd command continue echo eval exec exit export false fg getopts hash jobs kill local printf pwd read readonly return set shift test times trap true type ulimit umask unalias unset wait if then else elif fi case esac for while until do done function select time in'.split(' '),
);

/**
 * The words of a command that needs no shell (`sleep 300`, `node api.js --port 3000`):
 * no quoting, expansion, redirection or builtin. Null when a shell must read it.
 */
export function simpleWords(command: string): string[] | null {
  const trimmed = command.trim();
  if (trimmed.length === 0 || SHELL_SYNTAX.test(trimmed)) return null;
  const words = trimmed.split(/ +/);
  if (BUILTINS.has(words[0]!) || words[0]!.includes('=')) return null;
  return words;
}

export function commandForShell(command: string): string {
  const words = simpleWords(command);
  return words ? `exec ${words.join(' ')}` : command;
}
