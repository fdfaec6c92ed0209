/**
 * Pure text helpers of the terminal UI: the rows of the list (environments as groups),
 * the column layout for a given width, cell texts, and log lines made safe to draw.
 * No React and no I/O here, so all of it is testable as plain functions.
 */
import { homedir } from 'node:os';
import { counted } from '../../machines/counted.js';
import { formatBytes } from '../../machines/policies/limits.js';
import { qualifiedName } from '../../machines/policies/names.js';
import type { TaskView } from '../api.js';
import { clip, exitText, nextRunCountdown, restartCountdown, uptimeText } from '../text.js';

/** A task whose process may be alive: killing it needs a confirmation. */
export const hasLiveProcess = (t: TaskView): boolean => t.pid !== null && ['starting', 'running', 'stopping'].includes(t.status);

/** Color names (ink/chalk) per status; only used when colors are on. */
export const STATUS_COLOR: Record<string, string> = {
  running: 'green',
  completed: 'cyan',
  failed: 'red',
  killed: 'yellow',
  restarting: 'magenta',
  stopping: 'yellow',
  starting: 'blue',
  queued: 'gray',
  waiting: 'gray',
};

export const HEALTH_COLOR: Record<string, string> = { healthy: 'green', unhealthy: 'red', unknown: 'gray' };

/** Order of the statuses in the summary line. */
const STATUS_ORDER = ['running', 'starting', 'restarting', 'stopping', 'waiting', 'queued', 'failed', 'killed', 'completed'];

/** `4 tasks (3 running, 1 failed)`. */
export function summary(tasks: TaskView[]): string {
  if (tasks.length === 0) return 'no tasks';
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const known = STATUS_ORDER.filter((s) => counts.has(s));
  const other = [...counts.keys()].filter((s) => !STATUS_ORDER.includes(s));
  const parts = [...known, ...other].map((s) => `${counts.get(s)} ${s}`);
  return `${counted(tasks.length, 'task')} (${parts.join(', ')})`;
}

/**
 * The list's title, to fit `width`: the summary, then the filter in full with how many
 * tasks it shows. When that is too long, the summary loses its count by status, then goes;
 * the filter is cut (with an ellipsis) only when even that does not fit.
 */
export function listTitle(tasks: TaskView[], filter: string, shown: number, width: number): string {
  if (!filter) return `corral — ${summary(tasks)}`;
  const note = (f: string) => `filter "${f}": ${shown} shown`;
  const whole = [`corral — ${summary(tasks)} · ${note(filter)}`, `corral — ${counted(tasks.length, 'task')} · ${note(filter)}`, `corral — ${note(filter)}`];
  const fits = whole.find((title) => [...title].length <= width);
  return fits ?? `corral — ${note(clip(filter, width - [...`corral — ${note('')}`].length))}`;
}

/**
 * The filter being typed, with the keys that end it when they fit: a filter longer than
 * the line shows its end, where the typing is, after an ellipsis.
 */
export function filterPrompt(filter: string, width: number): string {
  const typed = ` /${filter}▏`;
  const keys = '   Enter keep · Esc clear';
  const length = [...typed].length;
  if (length + keys.length <= width) return typed + keys;
  if (length <= width) return typed;
  const chars = [...filter];
  return ` /…${chars.slice(chars.length - Math.max(0, width - 4)).join('')}▏`;
}

/** The home with the user's home folder written `~`. */
export function tildify(path: string, home = homedir()): string {
  if (home && (path === home || path.startsWith(home + '/'))) return '~' + path.slice(home.length);
  return path;
}

function matchesFilter(t: TaskView, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  return [t.id, qualifiedName(t) ?? '', t.env ?? '', t.status, t.command].some((s) => s.toLowerCase().includes(f));
}

export type Row =
  | { kind: 'group'; env: string; tasks: TaskView[] }
  | { kind: 'task'; task: TaskView; indent: boolean };

/**
 * The list's rows: tasks in the order given; the tasks of an environment come together
 * under a group row, at the place of the environment's first task.
 */
export function buildRows(tasks: TaskView[], filter = ''): Row[] {
  const shown = tasks.filter((t) => matchesFilter(t, filter));
  const byEnv = new Map<string, TaskView[]>();
  for (const t of shown) {
    if (t.env === null) continue;
    const group = byEnv.get(t.env);
    if (group) group.push(t);
    else byEnv.set(t.env, [t]);
  }
  const rows: Row[] = [];
  const emitted = new Set<string>();
  for (const t of shown) {
    if (t.env === null) {
      rows.push({ kind: 'task', task: t, indent: false });
      continue;
    }
    if (emitted.has(t.env)) continue;
    emitted.add(t.env);
    const group = byEnv.get(t.env)!;
    rows.push({ kind: 'group', env: t.env, tasks: group });
    for (const member of group) rows.push({ kind: 'task', task: member, indent: true });
  }
  return rows;
}

/** The first row to show so that `selected` is visible, moving the window as little as possible. */
export function windowStart(previousTop: number, selected: number, height: number, total: number): number {
  if (height <= 0 || total <= height) return 0;
  let top = Math.min(Math.max(0, previousTop), total - height);
  if (selected < 0) return top;
  if (selected < top) top = selected;
  else if (selected >= top + height) top = selected - height + 1;
  return top;
}

export function cpuText(t: { cpuPercent: number | null }): string {
  return t.cpuPercent === null ? '-' : `${t.cpuPercent.toFixed(1)}%`;
}

export function memText(t: { memoryBytes: number | null }): string {
  return t.memoryBytes === null ? '-' : formatBytes(t.memoryBytes);
}

/** The pid while a process of the task may be alive (not after it ended, nor between restarts). */
export function pidText(t: TaskView): string {
  return hasLiveProcess(t) ? String(t.pid) : '-';
}

/** `(in 4s, 2 restarts)` for a task waiting to restart; `(next run in 4m58s)` for a scheduled one between runs. */
export function restartSuffix(t: TaskView, now: number): string {
  const countdown = restartCountdown(t, now);
  if (countdown !== null) return `(in ${countdown}, ${counted(t.restarts, 'restart')})`;
  const next = nextRunCountdown(t, now);
  return next === null ? '' : `(next run in ${next})`;
}

type ColumnKey = 'id' | 'name' | 'status' | 'health' | 'pid' | 'uptime' | 'exit' | 'cpu' | 'mem' | 'command';

export interface Column {
  key: ColumnKey;
  title: string;
  width: number;
}

const TITLES: Record<ColumnKey, string> = {
  id: 'ID',
  name: 'NAME',
  status: 'STATUS',
  health: 'HEALTH',
  pid: 'PID',
  uptime: 'UPTIME',
  exit: 'EXIT',
  cpu: 'CPU',
  mem: 'MEM',
  command: 'COMMAND',
};

/**
 * Columns given up when the terminal is narrow, in this order (after those that show only
 * "-" for every task, and after NAME is cut down to NARROW_NAME).
 */
const DROP_ORDER: ColumnKey[] = ['mem', 'pid', 'cpu', 'health', 'exit', 'uptime', 'name'];
const MIN_COMMAND = 16;
const MAX_NAME = 16;
const NARROW_NAME = 10;
/** Width of the selection marker before each row. */
const MARKER = 1;

export function cellText(key: ColumnKey, t: TaskView, now: number): string {
  switch (key) {
    case 'id':
      return t.id;
    case 'name':
      return t.name ?? '-';
    case 'status':
      return t.status;
    case 'health':
      return t.health ?? '-';
    case 'pid':
      return pidText(t);
    case 'uptime':
      return uptimeText(t, now);
    case 'exit':
      return exitText(t);
    case 'cpu':
      return cpuText(t);
    case 'mem':
      return memText(t);
    case 'command': {
      const suffix = restartSuffix(t, now);
      return suffix ? `${t.command}   ${suffix}` : t.command;
    }
  }
}

/**
 * Widths from the content (so columns do not jump as uptimes grow: each has a floor),
 * dropping the least useful columns until the command keeps a readable width.
 */
export function layoutColumns(rows: Row[], width: number, now: number): { columns: Column[]; gap: number } {
  const tasks = rows.flatMap((r) => (r.kind === 'task' ? [r] : []));
  const indent = tasks.some((r) => r.indent) ? 2 : 0;
  const floor: Record<ColumnKey, number> = { id: 6, name: 4, status: 10, health: 7, pid: 7, uptime: 6, exit: 4, cpu: 5, mem: 6, command: 0 };
  const keys: ColumnKey[] = ['id', 'name', 'status', 'health', 'pid', 'uptime', 'exit', 'cpu', 'mem'];
  const widths = {} as Record<ColumnKey, number>;
  for (const key of keys) {
    let w = Math.max(floor[key], TITLES[key].length);
    for (const r of tasks) w = Math.max(w, cellText(key, r.task, now).length + (key === 'id' && r.indent ? 2 : 0));
    widths[key] = key === 'name' ? Math.min(w, MAX_NAME) : key === 'id' ? Math.max(w, indent + 6) : w;
  }
  const gap = width >= 110 ? 2 : 1;
  let shown = [...keys];
  const used = () => MARKER + shown.reduce((n, k) => n + widths[k] + gap, 0);
  const fits = () => width - used() >= MIN_COMMAND;
  if (!fits()) widths.name = Math.min(widths.name, Math.max(NARROW_NAME, TITLES.name.length));
  const empty = keys.filter((k) => k !== 'id' && k !== 'status' && tasks.every((r) => cellText(k, r.task, now) === '-'));
  for (const drop of [...DROP_ORDER.filter((k) => empty.includes(k)), ...DROP_ORDER]) {
    if (fits()) break;
    shown = shown.filter((k) => k !== drop);
  }
  const columns: Column[] = shown.map((key) => ({ key, title: TITLES[key], width: widths[key] }));
  columns.push({ key: 'command', title: TITLES.command, width: Math.max(1, width - used()) });
  return { columns, gap };
}

/** Pads or cuts `text` to exactly `width` characters (cut with an ellipsis). */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length > width) return width === 1 ? '…' : chars.slice(0, width - 1).join('') + '…';
  return text + ' '.repeat(width - chars.length);
}

/** `left` and `right` on one line of `width`; `right` is left out when both do not fit. */
export function spread(left: string, right: string, width: number): string {
  const l = [...left].length;
  const r = [...right].length;
  if (right && l + 2 + r <= width) return left + ' '.repeat(width - l - r) + right;
  return clip(left, width);
}

// Escape sequences (CSI, OSC, two-character) and other control characters in task output
// would move the cursor or change the terminal's state: they are removed before drawing.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[P^_][^\u001b]*(?:\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g;

/** Colour escapes (SGR): the one kind a log view keeps, since they only colour text. */
const SGR_PIECES = /(\u001b\[[0-9;:]*m)/;

/**
 * One line of task output as the terminal should show it: no escapes, tabs expanded, `\r`
 * overwrites. With `colours`, the line keeps its colour escapes (every other escape still
 * goes) and ends with a reset, so that no colour runs on into the next line.
 */
export function cleanLine(line: string, colours = false): string {
  if (!colours || !line.includes('\u001b[')) return plainLine(line);
  const pieces = line.split(SGR_PIECES);
  if (pieces.length === 1) return plainLine(line);
  return pieces.map((piece, i) => (i % 2 === 1 ? piece : plainLine(piece))).join('') + '\u001b[0m';
}

function plainLine(line: string): string {
  let s = line.endsWith('\r') ? line.slice(0, -1) : line;
  s = s.replace(ESCAPES, '');
  const cr = s.lastIndexOf('\r');
  if (cr >= 0) s = s.slice(cr + 1);
  if (s.includes('\t')) {
    let out = '';
    for (const ch of s) out += ch === '\t' ? ' '.repeat(8 - ([...out].length % 8)) : ch;
    s = out;
  }
  return s.replace(CONTROLS, '');
}

/** Whole lines of a chunk of output (a final line without its newline included), cleaned. */
export function outputLines(text: string): string[] {
  if (!text) return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => cleanLine(line));
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * The last `width` samples as bars, scaled from 0 (or `min`) to the largest sample (or
 * `max`). Empty when there are no samples: nothing that could pass for data.
 */
export function sparkline(values: readonly number[], width = 20, scale: { min?: number; max?: number } = {}): string {
  const recent = values.filter((v) => Number.isFinite(v)).slice(-Math.max(0, width));
  if (recent.length === 0) return '';
  const lo = scale.min ?? Math.min(0, ...recent);
  const hi = scale.max ?? Math.max(...recent);
  const span = hi - lo;
  return recent
    .map((v) => {
      if (span <= 0) return BARS[0];
      const level = Math.round(((Math.min(hi, Math.max(lo, v)) - lo) / span) * (BARS.length - 1));
      return BARS[level];
    })
    .join('');
}

export function clockTime(iso: string | null): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toTimeString().slice(0, 8);
}
