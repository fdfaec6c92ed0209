/**
 * The broad kills agents write — `pkill [-f] X`, `killall X`, `kill $(lsof -ti:PORT)`,
 * `lsof -ti:PORT | xargs kill`, `fuser -k PORT/tcp` — read into what they would reach: a
 * pattern over processes, process names, or the processes on a port. Only commands read
 * whole are recognised (a trailing `|| true` and redirections to /dev/null aside), and only
 * kills that stop (TERM, KILL, INT, QUIT): `pkill -HUP nginx` reloads, and is left alone.
 * Then, once the caller has found the processes: are they corral's tasks only? Pure.
 */
import { normalizeSignal, SignalError } from '../signals.js';
import { shellTokens, type ShellToken } from '../shell-tokens.js';

export type KillReach =
  /** pkill: a regular expression over the process name, or (`full`) over the whole command line. */
  | { kind: 'pattern'; pattern: string; full: boolean; exact: boolean; ignoreCase: boolean }
  /** killall: processes by name. */
  | { kind: 'names'; names: string[]; exact: boolean; ignoreCase: boolean }
  /**
   * The processes holding sockets on a port: `lsof -i:PORT` also lists those connected to
   * it (`local-or-remote`), `lsof -sTCP:LISTEN` only listeners, `fuser PORT/tcp` local ones.
   */
  | { kind: 'port'; port: number; scope: 'listening' | 'local' | 'local-or-remote'; protocols: ('tcp' | 'udp')[] };

export interface BroadKill {
  reach: KillReach;
  /** The signal it would send (SIGTERM, SIGKILL, SIGINT or SIGQUIT). */
  signal: string;
}

const STOP_SIGNALS = new Set(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGQUIT']);

const isWord = (t: ShellToken | undefined): t is { word: string } => t !== undefined && 'word' in t;
const isOp = (t: ShellToken | undefined, op: string): boolean => t !== undefined && 'op' in t && t.op === op;
/** `/usr/bin/pkill` is pkill. */
const program = (t: ShellToken | undefined): string | null => (isWord(t) ? t.word.slice(t.word.lastIndexOf('/') + 1) : null);

/** A stop signal as a kill-like program writes it (`9`, `KILL`, `SIGKILL`); null when it is none, or not a stop. */
function stopSignal(text: string): string | null {
  try {
    const signal = normalizeSignal(text);
    return STOP_SIGNALS.has(signal) ? signal : null;
  } catch (error) {
    if (error instanceof SignalError) return null;
    throw error;
  }
}

/** What a command would kill, or null when it is not one of the broad kills (or cannot be read whole). */
export function recognizeBroadKill(command: string): BroadKill | null {
  const tokens = shellTokens(command);
  if (!tokens) return null;
  // `… || true` only hides a failure: what it reaches is the same.
  const last = tokens[tokens.length - 1];
  if (isOp(tokens[tokens.length - 2], '||') && isWord(last) && (last.word === 'true' || last.word === ':')) tokens.splice(-2);
  if (tokens.length === 0) return null;
  const first = program(tokens[0]);
  if (tokens.every(isWord)) {
    const words = tokens.map((t) => t.word).slice(1);
    if (first === 'pkill') return pkill(words);
    if (first === 'killall') return killall(words);
    if (first === 'fuser') return fuser(words);
    return null;
  }
  if (first === 'kill') return killOfSubstitution(tokens);
  if (first === 'lsof') return lsofToXargs(tokens);
  return null;
}

function pkill(words: string[]): BroadKill | null {
  const flags = { full: false, exact: false, ignoreCase: false };
  let signal = 'SIGTERM';
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      rest.push(...words.slice(i + 1));
      break;
    }
    if (w === '--signal') {
      const s = stopSignal(words[++i] ?? '');
      if (!s) return null;
      signal = s;
    } else if (w === '--full') flags.full = true;
    else if (w === '--exact') flags.exact = true;
    else if (w === '--ignore-case') flags.ignoreCase = true;
    else if (w === '--echo') continue;
    else if (/^-[fxie]+$/.test(w)) {
      if (w.includes('f')) flags.full = true;
      if (w.includes('x')) flags.exact = true;
      if (w.includes('i')) flags.ignoreCase = true;
    } else if (/^-([0-9]+|[A-Z][A-Z0-9]*)$/.test(w)) {
      const s = stopSignal(w.slice(1));
      if (!s) return null;
      signal = s;
    } else if (w.startsWith('-')) return null; // -u, -n, -P…: a narrower reach than we would judge
    else rest.push(w);
  }
  if (rest.length !== 1 || !validPattern(rest[0]!, flags.ignoreCase)) return null;
  return { reach: { kind: 'pattern', pattern: rest[0]!, ...flags }, signal };
}

function validPattern(pattern: string, ignoreCase: boolean): boolean {
  try {
    new RegExp(pattern, ignoreCase ? 'i' : '');
    return pattern.length > 0;
  } catch {
    return false;
  }
}

function killall(words: string[]): BroadKill | null {
  const flags = { exact: false, ignoreCase: false };
  let signal = 'SIGTERM';
  const names: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-s' || w === '--signal') {
      const s = stopSignal(words[++i] ?? '');
      if (!s) return null;
      signal = s;
    } else if (w === '-e' || w === '--exact') flags.exact = true;
    else if (w === '-I' || w === '--ignore-case') flags.ignoreCase = true;
    else if (['-q', '--quiet', '-w', '--wait', '-v', '--verbose'].includes(w)) continue;
    else if (/^-([0-9]+|[A-Z][A-Z0-9]*)$/.test(w)) {
      const s = stopSignal(w.slice(1));
      if (!s) return null;
      signal = s;
    } else if (w.startsWith('-')) return null; // -r, -u, -o…
    else names.push(w);
  }
  return names.length > 0 ? { reach: { kind: 'names', names, ...flags }, signal } : null;
}

function fuser(words: string[]): BroadKill | null {
  let kill = false;
  let namespace: string | null = null;
  let signal = 'SIGKILL'; // fuser -k sends SIGKILL unless told otherwise
  const targets: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-n' || w === '--namespace') namespace = words[++i] ?? '';
    else if (/^-[ksv46]+$/.test(w)) kill ||= w.includes('k');
    else if (/^-([0-9]+|[A-Z][A-Z0-9]*)$/.test(w)) {
      const s = stopSignal(w.slice(1));
      if (!s) return null;
      signal = s;
    } else if (w.startsWith('-')) return null; // -i asks, -m mounts…
    else targets.push(w);
  }
  if (!kill || targets.length !== 1) return null;
  const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(targets[0]!);
  const protocol = m?.[2] ?? namespace;
  if (!m || (protocol !== 'tcp' && protocol !== 'udp')) return null;
  const port = portNumber(m[1]!);
  return port === null ? null : { reach: { kind: 'port', port, scope: 'local', protocols: [protocol] }, signal };
}

function portNumber(text: string): number | null {
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
}

/** `lsof -ti:3000`, `lsof -t -i tcp:3000`, `lsof -ti :3000 -sTCP:LISTEN`: the port it lists the holders of (`-t`: pids only). */
function lsof(words: string[]): KillReach | null {
  if (words[0] !== 'lsof') return null;
  let terse = false;
  let spec: string | null = null;
  let listening = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('-')) return null;
    for (let j = 1; j < w.length; j++) {
      const letter = w[j]!;
      if (letter === 't') terse = true;
      else if (letter === 'n' || letter === 'P') continue;
      else if (letter === 'i') {
        if (spec !== null) return null;
        spec = w.slice(j + 1) || (words[++i] ?? '');
        break;
      } else if (letter === 's') {
        if (!/^tcp:listen$/i.test(w.slice(j + 1))) return null;
        listening = true;
        break;
      } else return null;
    }
  }
  const m = spec === null ? null : /^[46]?(tcp|udp)?:(\d+)$/i.exec(spec);
  const port = m ? portNumber(m[2]!) : null;
  if (!terse || !m || port === null) return null;
  if (listening) return m[1]?.toLowerCase() === 'udp' ? null : { kind: 'port', port, scope: 'listening', protocols: ['tcp'] };
  const protocols: ('tcp' | 'udp')[] = m[1] ? [m[1].toLowerCase() as 'tcp' | 'udp'] : ['tcp', 'udp'];
  return { kind: 'port', port, scope: 'local-or-remote', protocols };
}

/** `kill [-9|-s SIG] …`: the signal; null when the options are not a stop signal's. */
function killSignal(words: string[]): string | null {
  if (words.length === 0) return 'SIGTERM';
  if (words.length === 1 && /^-([0-9]+|[A-Z][A-Z0-9]*)$/i.test(words[0]!)) return stopSignal(words[0]!.slice(1));
  if (words.length === 2 && (words[0] === '-s' || words[0] === '-n' || words[0] === '--signal')) return stopSignal(words[1]!);
  return null;
}

/** Words up to the first operator. */
function wordsUntilOp(tokens: ShellToken[], from: number): string[] {
  const words: string[] = [];
  for (let i = from; i < tokens.length && isWord(tokens[i]); i++) words.push((tokens[i] as { word: string }).word);
  return words;
}

/** `kill [SIG] $(lsof -ti:PORT)` or with backquotes, nothing after. */
function killOfSubstitution(tokens: ShellToken[]): BroadKill | null {
  const options = wordsUntilOp(tokens, 1);
  const open = 1 + options.length;
  const close = isOp(tokens[open], '$(') ? ')' : isOp(tokens[open], '`') ? '`' : null;
  if (!close) return null;
  const inner = wordsUntilOp(tokens, open + 1);
  const end = open + 1 + inner.length;
  if (!isOp(tokens[end], close) || end !== tokens.length - 1) return null;
  const signal = killSignal(options);
  const reach = lsof(inner);
  return signal && reach ? { reach, signal } : null;
}

/** `lsof -ti:PORT | xargs [-r] kill [SIG]`, nothing after. */
function lsofToXargs(tokens: ShellToken[]): BroadKill | null {
  const inner = wordsUntilOp(tokens, 0);
  if (!isOp(tokens[inner.length], '|')) return null;
  const after = wordsUntilOp(tokens, inner.length + 1);
  if (inner.length + 1 + after.length !== tokens.length || after[0] !== 'xargs') return null;
  let at = 1;
  while (['-r', '--no-run-if-empty', '-n1'].includes(after[at] ?? '') || (after[at] === '-n' && after[at + 1] === '1')) at += after[at] === '-n' ? 2 : 1;
  if (after[at] !== 'kill') return null;
  const signal = killSignal(after.slice(at + 1));
  const reach = lsof(inner);
  return signal && reach ? { reach, signal } : null;
}

/** What a process shows of itself to pkill and killall. */
export interface ProcessFacts {
  /** The kernel's name for it (15 characters at most). */
  comm: string;
  args: string[];
}

/** Whether a `pattern` or `names` reach takes this process, as pkill and killall would. */
export function reachesProcess(reach: Exclude<KillReach, { kind: 'port' }>, proc: ProcessFacts): boolean {
  const fold = (s: string) => (reach.ignoreCase ? s.toLowerCase() : s);
  if (reach.kind === 'pattern') {
    // pkill -f reads the command line with its arguments joined by spaces; a kernel thread has none, only its name.
    const subject = reach.full && proc.args.some((a) => a.length > 0) ? proc.args.join(' ') : proc.comm;
    const source = reach.exact ? `^(?:${reach.pattern})$` : reach.pattern;
    return new RegExp(source, reach.ignoreCase ? 'i' : '').test(subject);
  }
  const comm = fold(proc.comm);
  const argv0 = fold((proc.args[0] ?? '').slice((proc.args[0] ?? '').lastIndexOf('/') + 1));
  return reach.names.some((raw) => {
    const name = fold(raw);
    // The kernel keeps 15 characters of a name: a longer one is matched on those, unless -e asks for all of it.
    const commMatches = comm === name || (!reach.exact && name.length > 15 && comm === name.slice(0, 15));
    return commMatches || argv0 === name;
  });
}

/** A process the kill would reach: its task, or null when it is outside corral. */
export interface Reached {
  pid: number;
  command: string;
  task: { id: string } | null;
}

export type BroadKillVerdict =
  /** Nothing is reached: the command does nothing corral should speak of. */
  | { kind: 'none' }
  /** Only corral tasks: `corral kill` of exactly these. */
  | { kind: 'tasks'; ids: string[] }
  /** Processes outside corral too: the user decides. */
  | { kind: 'outside'; outside: Reached[]; ids: string[] };

export function judgeBroadKill(reached: Reached[]): BroadKillVerdict {
  if (reached.length === 0) return { kind: 'none' };
  const ids = [...new Set(reached.flatMap((r) => (r.task ? [r.task.id] : [])))];
  const outside = reached.filter((r) => r.task === null);
  return outside.length > 0 ? { kind: 'outside', outside, ids } : { kind: 'tasks', ids };
}
