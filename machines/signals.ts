/** Signal names and numbers on Linux, without importing node:os (machines stay pure). */
export const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22,
  SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29,
  SIGPWR: 30, SIGSYS: 31,
};

export class SignalError extends Error {}

/** Accepts `TERM`, `SIGTERM`, `sigterm` or `15`; returns the canonical `SIGTERM`. */
export function normalizeSignal(value: string | number): string {
  const text = String(value).trim().toUpperCase();
  if (/^\d+$/.test(text)) {
    const name = Object.keys(SIGNALS).find((k) => SIGNALS[k] === Number(text));
    if (name) return name;
  } else {
    const name = text.startsWith('SIG') ? text : `SIG${text}`;
    if (name in SIGNALS) return name;
  }
  throw new SignalError(`"${value}" is not a signal: use a name like SIGTERM, SIGINT, SIGKILL or a number like 15`);
}

export function signalName(num: number): string | undefined {
  return Object.keys(SIGNALS).find((k) => SIGNALS[k] === num);
}
