/**
 * The UI's state and what each key does to it: a pure function, so every binding is
 * testable without a terminal. Keys that act on the daemon (kill, restart) or end the UI
 * come back as an effect for the component to carry out.
 *
 *   list      ↑/↓ (also j, Ctrl-N/Ctrl-P) select · PgUp/PgDn · Home/End (g/G) · Enter details · l log
 *             k kill · r restart · / filter · q or Esc quit (Esc first clears a filter)
 *   details   ↑/↓ the previous/next task · l log · k · r · Esc or q back
 *   log       ↑/↓ (j) scroll · PgUp/PgDn (space) · g top · G bottom, following · Tab stdout/stderr · k · r · Esc or q back
 *   anywhere  Ctrl-C quits; `k` on a task with a live process asks y/N first
 */
import type { Key } from 'ink';
import { isFinal } from '../../machines/task.types.js';
import type { TaskView } from '../api.js';
import { taskLabel } from '../text.js';
import { hasLiveProcess } from './format.js';
import type { LogStream } from './live.js';

type View = 'list' | 'details' | 'log';

export interface UiState {
  view: View;
  /** Where Esc in the log view goes back to. */
  logReturn: 'list' | 'details';
  selectedId: string | null;
  filter: string;
  filterEditing: boolean;
  /** A kill waiting for y/N. */
  confirm: { id: string } | null;
  logStream: LogStream;
  /** First line shown by the log view; null = following the end (new lines scroll in). */
  logTop: number | null;
  message: { text: string; error: boolean; at: number } | null;
}

export const initialState: UiState = {
  view: 'list',
  logReturn: 'list',
  selectedId: null,
  filter: '',
  filterEditing: false,
  confirm: null,
  logStream: 'stdout',
  logTop: null,
  message: null,
};

export type Effect = { type: 'quit' } | { type: 'kill'; id: string } | { type: 'restart'; id: string };

/** What the key handler needs to know of the screen. */
export interface KeyContext {
  /** Selectable task ids in display order (after the filter). */
  order: string[];
  tasks: ReadonlyMap<string, TaskView>;
  /** Rows of the list that fit on screen. */
  listPage: number;
  /** Lines of the log view that fit on screen, and how many lines the log has. */
  logPage: number;
  logLines: number;
  now: number;
}

interface KeyResult {
  state: UiState;
  effect?: Effect;
}

const say = (state: UiState, text: string, now: number, error = false): UiState => ({ ...state, message: { text, error, at: now } });


/** The selection after the list changed: the same task if still shown, else the one at its place. */
export function reconcileSelection(selectedId: string | null, previousIndex: number, order: string[]): string | null {
  if (order.length === 0) return selectedId;
  if (selectedId !== null && order.includes(selectedId)) return selectedId;
  return order[Math.min(Math.max(0, previousIndex), order.length - 1)] ?? null;
}

function move(state: UiState, ctx: KeyContext, delta: number | 'first' | 'last'): UiState {
  if (ctx.order.length === 0) return state;
  const at = state.selectedId === null ? -1 : ctx.order.indexOf(state.selectedId);
  let next: number;
  if (delta === 'first') next = 0;
  else if (delta === 'last') next = ctx.order.length - 1;
  else next = Math.min(ctx.order.length - 1, Math.max(0, (at < 0 ? 0 : at) + delta));
  return { ...state, selectedId: ctx.order[next] ?? state.selectedId };
}

/** The first line the log view shows for `top` (null: the end). */
export function logFirstLine(top: number | null, lines: number, page: number): number {
  const last = Math.max(0, lines - page);
  return top === null ? last : Math.min(last, Math.max(0, top));
}

function scrollLog(state: UiState, ctx: KeyContext, delta: number | 'top' | 'bottom'): UiState {
  if (delta === 'bottom') return { ...state, logTop: null };
  const last = Math.max(0, ctx.logLines - ctx.logPage);
  const target = delta === 'top' ? 0 : logFirstLine(state.logTop, ctx.logLines, ctx.logPage) + delta;
  // Scrolling down to the end follows again.
  return { ...state, logTop: target >= last ? null : Math.max(0, target) };
}

function askKill(state: UiState, ctx: KeyContext): KeyResult {
  const t = state.selectedId === null ? undefined : ctx.tasks.get(state.selectedId);
  if (!t) return { state: say(state, 'no task selected', ctx.now, true) };
  if (isFinal(t.status)) return { state: say(state, `${taskLabel(t)} already ${t.status}`, ctx.now) };
  if (hasLiveProcess(t)) return { state: { ...state, confirm: { id: t.id }, message: null } };
  // Queued, waiting or restarting: no process to lose, the kill only cancels what is pending.
  return { state: say(state, `killing ${taskLabel(t)}…`, ctx.now), effect: { type: 'kill', id: t.id } };
}

function askRestart(state: UiState, ctx: KeyContext): KeyResult {
  const t = state.selectedId === null ? undefined : ctx.tasks.get(state.selectedId);
  if (!t) return { state: say(state, 'no task selected', ctx.now, true) };
  return { state: say(state, `restarting ${taskLabel(t)}…`, ctx.now), effect: { type: 'restart', id: t.id } };
}

const isPrintable = (input: string, key: Key) => input.length > 0 && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input);

export function handleKey(state: UiState, input: string, key: Key, ctx: KeyContext): KeyResult {
  if (key.ctrl && input === 'c') return { state, effect: { type: 'quit' } };

  if (state.confirm) {
    const { id } = state.confirm;
    const t = ctx.tasks.get(id);
    const name = t ? taskLabel(t) : id;
    if (input === 'y' || input === 'Y') {
      return { state: say({ ...state, confirm: null }, `killing ${name}…`, ctx.now), effect: { type: 'kill', id } };
    }
    return { state: say({ ...state, confirm: null }, `kill of ${name} cancelled`, ctx.now) };
  }

  if (state.filterEditing) {
    if (key.escape) return { state: { ...state, filter: '', filterEditing: false } };
    if (key.return) return { state: { ...state, filterEditing: false } };
    if (key.backspace || key.delete) return { state: { ...state, filter: [...state.filter].slice(0, -1).join('') } };
    if (key.upArrow) return { state: move(state, ctx, -1) };
    if (key.downArrow) return { state: move(state, ctx, 1) };
    if (isPrintable(input, key)) return { state: { ...state, filter: state.filter + input } };
    return { state };
  }

  const up = key.upArrow || (key.ctrl && input === 'p');
  const down = key.downArrow || (key.ctrl && input === 'n') || (input === 'j' && !key.ctrl);

  switch (state.view) {
    case 'list': {
      if (up) return { state: move(state, ctx, -1) };
      if (down) return { state: move(state, ctx, 1) };
      if (key.pageUp) return { state: move(state, ctx, -Math.max(1, ctx.listPage - 1)) };
      if (key.pageDown) return { state: move(state, ctx, Math.max(1, ctx.listPage - 1)) };
      if (key.home || input === 'g') return { state: move(state, ctx, 'first') };
      if (key.end || input === 'G') return { state: move(state, ctx, 'last') };
      if (key.return) {
        if (state.selectedId === null || !ctx.tasks.has(state.selectedId)) return { state };
        return { state: { ...state, view: 'details', message: null } };
      }
      if (input === 'l') {
        if (state.selectedId === null || !ctx.tasks.has(state.selectedId)) return { state };
        return { state: { ...state, view: 'log', logReturn: 'list', logTop: null, message: null } };
      }
      if (input === 'k') return askKill(state, ctx);
      if (input === 'r') return askRestart(state, ctx);
      if (input === '/') return { state: { ...state, filterEditing: true, message: null } };
      if (key.escape) {
        if (state.filter) return { state: { ...state, filter: '' } };
        return { state, effect: { type: 'quit' } };
      }
      if (input === 'q') return { state, effect: { type: 'quit' } };
      return { state };
    }
    case 'details': {
      if (key.escape || input === 'q' || key.leftArrow) return { state: { ...state, view: 'list' } };
      if (up) return { state: move(state, ctx, -1) };
      if (down) return { state: move(state, ctx, 1) };
      if (input === 'l') return { state: { ...state, view: 'log', logReturn: 'details', logTop: null, message: null } };
      if (input === 'k') return askKill(state, ctx);
      if (input === 'r') return askRestart(state, ctx);
      return { state };
    }
    case 'log': {
      if (key.escape || input === 'q' || key.leftArrow) return { state: { ...state, view: state.logReturn } };
      if (up) return { state: scrollLog(state, ctx, -1) };
      if (down) return { state: scrollLog(state, ctx, 1) };
      if (key.pageUp || input === 'b') return { state: scrollLog(state, ctx, -Math.max(1, ctx.logPage - 1)) };
      if (key.pageDown || input === ' ') return { state: scrollLog(state, ctx, Math.max(1, ctx.logPage - 1)) };
      if (key.home || input === 'g') return { state: scrollLog(state, ctx, 'top') };
      if (key.end || input === 'G') return { state: scrollLog(state, ctx, 'bottom') };
      if (key.tab) return { state: { ...state, logStream: state.logStream === 'stdout' ? 'stderr' : 'stdout', logTop: null } };
      if (input === 'k') return askKill(state, ctx);
      if (input === 'r') return askRestart(state, ctx);
      return { state };
    }
  }
}
