/**
 * Whether a front end writes colour: only to a terminal, and not when the user asked for
 * none (NO_COLOR, https://no-color.org: present and not empty) or the terminal has none
 * (TERM=dumb). The one place that decides it, for the CLI and the terminal UI alike.
 */
export function colorWanted(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}
