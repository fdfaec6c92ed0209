/**
 * How a command is handed to `sh -c`. dash forks for a lone command instead of replacing
 * itself, so a simple command is prefixed with `exec`: the task's pid is then the
 * program's own, and its exit code and signals are seen exactly, not through a shell.
 */
const SHELL_SYNTAX = /[;&|<>()$`\\"'*?[\]#~={}%!\n\r\t]/;
const BUILTINS = new Set(
  '. : [ alias bg break cd command continue echo eval exec exit export false fg getopts hash jobs kill local printf pwd read readonly return set shift test times trap true type ulimit umask unalias unset wait if then else elif fi case esac for while until do done function select time in'.split(' '),
);

export function commandForShell(command: string): string {
  const trimmed = command.trim();
  if (trimmed.length === 0 || SHELL_SYNTAX.test(trimmed)) return command;
  const first = trimmed.split(/ +/)[0]!;
  if (BUILTINS.has(first) || first.includes('=')) return command;
  return `exec ${trimmed}`;
}
