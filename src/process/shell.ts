/**
 * How a command is started. dash forks for a lone command instead of replacing
 * itself, so a simple command runs without a shell (or, under the sh monitor, behind
 * `exec`): the task's pid is then the program's own, and its exit code and signals are
 * seen exactly, not through a shell. Which commands are simple is decided by
 * machines/shell-words.ts.
 */
import { simpleWords, trimBlanks } from '../../machines/shell-words.js';


export function commandForShell(command: string): string {
  return simpleWords(command) ? `exec ${trimBlanks(command)}` : command;
}
