/**
 * Watch and restart, the decisions: which changed paths concern which task (ignores and the
 * defaults), how tasks watching the same tree share one watcher, when a burst of changes
 * has settled into one restart, and the order in which dependents follow. Pure: paths are
 * absolute POSIX strings, time is a number the caller gives.
 */
import { DEFAULTS } from '../defaults.js';

export interface WatchSpec {
  /** Absolute paths of the folders or files watched. */
  paths: string[];
  /** Names (globs with `*` and `?`, matched against each path segment) or absolute paths skipped. */
  ignore: string[];
  debounceMs: number;
  /** A restart also restarts the task's dependents, once it is ready again. */
  cascade: boolean;
}

export class WatchSpecError extends Error {}

const isAbsolutePath = (p: string) => p.startsWith('/');
const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** Joins `rel` to the folder `base` and resolves `.` and `..` (POSIX, no file system). */
export function resolvePath(base: string, rel: string): string {
  const parts: string[] = [];
  for (const seg of (isAbsolutePath(rel) ? rel : `${base}/${rel}`).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

/** `path` is `root` or lies below it. */
export const isWithin = (path: string, root: string): boolean => path === root || path.startsWith(root === '/' ? '/' : `${root}/`);

/** A watch as written (an env file's `watch:`, `run --watch`), checked and made absolute against the task's folder. */
export function normalizeWatch(
  decl: { paths: string[]; ignore?: string[]; debounceMs?: number; cascade?: boolean },
  cwd: string,
): WatchSpec {
  if (decl.paths.length === 0) throw new WatchSpecError('a watch needs at least one path');
  for (const p of [...decl.paths, ...(decl.ignore ?? [])]) if (p.trim() === '') throw new WatchSpecError('a watched or ignored path is empty');
  const debounceMs = decl.debounceMs ?? DEFAULTS.watchDebounceMs;
  if (debounceMs < 0) throw new WatchSpecError('the debounce is a duration of 0 or more');
  return {
    paths: [...new Set(decl.paths.map((p) => trimSlash(resolvePath(cwd, p))))],
    // A pattern with a slash is a path (relative to the task's folder); a bare one is a name.
    ignore: (decl.ignore ?? []).map((p) => (p.includes('/') ? trimSlash(resolvePath(cwd, p)) : p)),
    debounceMs,
    cascade: decl.cascade === true,
  };
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/**
 * Whether a change at `path` is one the watch skips: under an ignored path, a segment below
 * the watched root matching an ignored name, or a default (`.git`, `node_modules`, the
 * corral home) that the watched path does not itself lie in.
 */
export function ignoredPath(spec: WatchSpec, home: string | null): (path: string) => boolean {
  const names = spec.ignore.filter((p) => !isAbsolutePath(p)).map(globToRegExp);
  const paths = spec.ignore.filter(isAbsolutePath);
  const defaults = DEFAULTS.watchIgnored as readonly string[];
  return (path) => {
    const root = spec.paths.find((r) => isWithin(path, r));
    if (root === undefined) return true;
    if (paths.some((p) => isWithin(path, p))) return true;
    if (home !== null && isWithin(path, home) && !isWithin(root, home)) return true;
    const below = path.slice(root.length).split('/').filter(Boolean);
    return below.some((seg) => defaults.includes(seg) || names.some((re) => re.test(seg)));
  };
}

/** One task's interest in the file system. */
export interface WatchInterest {
  id: string;
  spec: WatchSpec;
}

/** One watcher: a root, and the tasks whose watched paths lie in it. */
export interface WatcherPlan {
  root: string;
  /** Tasks with the same ignores share a watcher: what one ignores, the watcher may skip. */
  ignoreKey: string;
  ignore: string[];
  ids: string[];
}

export const ignoreKeyOf = (spec: WatchSpec): string => JSON.stringify([...spec.ignore].sort());

/**
 * The watchers that serve every interest: one per distinct root, a path inside another
 * watched root (of the same ignores) served by the outer one. 100 tasks watching one tree
 * need one watcher.
 */
export function planWatchers(interests: WatchInterest[], home: string | null = null): WatcherPlan[] {
  const byKey = new Map<string, { ignore: string[]; paths: Map<string, Set<string>> }>();
  for (const { id, spec } of interests) {
    const key = ignoreKeyOf(spec);
    let group = byKey.get(key);
    if (!group) byKey.set(key, (group = { ignore: [...spec.ignore].sort(), paths: new Map() }));
    for (const p of spec.paths) {
      const ids = group.paths.get(p) ?? new Set<string>();
      group.paths.set(p, ids.add(id));
    }
  }
  const plans: WatcherPlan[] = [];
  for (const [ignoreKey, group] of byKey) {
    // Shortest first: a root is kept unless a kept one contains it.
    const roots: { root: string; ids: Set<string> }[] = [];
    for (const path of [...group.paths.keys()].sort((a, b) => a.length - b.length || a.localeCompare(b))) {
      // A path the outer watcher would skip (one inside node_modules, named on purpose) gets its own.
      const outer = roots.find((r) => isWithin(path, r.root) && !ignoredPath({ paths: [r.root], ignore: group.ignore, debounceMs: 0, cascade: false }, home)(path));
      const ids = group.paths.get(path)!;
      if (outer) for (const id of ids) outer.ids.add(id);
      else roots.push({ root: path, ids: new Set(ids) });
    }
    for (const r of roots) plans.push({ root: r.root, ignoreKey, ignore: group.ignore, ids: [...r.ids].sort() });
  }
  return plans;
}

// ---- debounce: a burst of changes is one restart --------------------------------------

export interface ChangeSummary {
  /** The last path that changed. */
  path: string;
  /** How many changes the restart answers. */
  changes: number;
}

export type WatchState =
  | { phase: 'idle' }
  | { phase: 'settling'; path: string; changes: number; dueAt: number }
  | { phase: 'restarting'; pending: ChangeSummary | null };

export type WatchEvent = { type: 'change'; path: string; at: number } | { type: 'due'; at: number } | { type: 'restarted'; at: number };

export interface WatchStep {
  state: WatchState;
  /** Set the (single) timer to fire a `due` at this time; null: no timer. */
  timerAt: number | null;
  /** Restart now, for these changes. */
  restart?: ChangeSummary;
}

export const WATCH_IDLE: WatchState = { phase: 'idle' };

/**
 * The debounce, as a reducer: each change pushes the restart `debounceMs` later; once quiet,
 * one restart. Changes while the task restarts are kept and make one more restart after it.
 */
export function watchStep(state: WatchState, event: WatchEvent, debounceMs: number): WatchStep {
  switch (event.type) {
    case 'change': {
      if (state.phase === 'restarting') {
        const changes = (state.pending?.changes ?? 0) + 1;
        return { state: { phase: 'restarting', pending: { path: event.path, changes } }, timerAt: null };
      }
      const changes = state.phase === 'settling' ? state.changes + 1 : 1;
      const dueAt = event.at + debounceMs;
      return { state: { phase: 'settling', path: event.path, changes, dueAt }, timerAt: dueAt };
    }
    case 'due': {
      if (state.phase !== 'settling') return { state, timerAt: null };
      // A timer that fired early (a change moved the deadline meanwhile) waits on.
      if (event.at < state.dueAt) return { state, timerAt: state.dueAt };
      return { state: { phase: 'restarting', pending: null }, timerAt: null, restart: { path: state.path, changes: state.changes } };
    }
    case 'restarted': {
      if (state.phase !== 'restarting') return { state, timerAt: null };
      if (!state.pending) return { state: WATCH_IDLE, timerAt: null };
      const dueAt = event.at + debounceMs;
      return { state: { phase: 'settling', ...state.pending, dueAt }, timerAt: dueAt };
    }
  }
}
