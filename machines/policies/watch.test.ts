import { describe, expect, it } from 'vitest';
import {
  ignoredPath,
  normalizeWatch,
  planWatchers,
  WATCH_IDLE,
  watchStep,
  WatchSpecError,
  type WatchEvent,
  type WatchState,
} from './watch.js';

const spec = (paths: string[], ignore: string[] = []) => normalizeWatch({ paths, ignore }, '/p');

describe('a watch as written', () => {
  it('resolves paths against the task folder, keeps names as names, and defaults the debounce', () => {
    expect(normalizeWatch({ paths: ['src', './lib/', '/abs/x'], ignore: ['*.log', 'tmp/cache'] }, '/p')).toEqual({
      paths: ['/p/src', '/p/lib', '/abs/x'],
      ignore: ['*.log', '/p/tmp/cache'],
      debounceMs: 300,
      cascade: false,
    });
    expect(normalizeWatch({ paths: ['.'], debounceMs: 50, cascade: true }, '/p/q/..')).toMatchObject({ paths: ['/p'], debounceMs: 50, cascade: true });
  });

  it('refuses an empty list, an empty path and a negative debounce', () => {
    expect(() => normalizeWatch({ paths: [] }, '/p')).toThrow(WatchSpecError);
    expect(() => normalizeWatch({ paths: [' '] }, '/p')).toThrow('empty');
    expect(() => normalizeWatch({ paths: ['.'], debounceMs: -1 }, '/p')).toThrow('0 or more');
  });
});

describe('what a watch skips', () => {
  it('skips .git, node_modules and the home below the watched root, and paths outside it', () => {
    const ignored = ignoredPath(spec(['.']), '/p/.corral');
    expect(ignored('/p/src/a.ts')).toBe(false);
    expect(ignored('/p/.git/index')).toBe(true);
    expect(ignored('/p/web/node_modules/x/index.js')).toBe(true);
    expect(ignored('/p/.corral/logs/bash_1/stdout.log')).toBe(true);
    expect(ignored('/elsewhere/a.ts')).toBe(true);
  });

  it('watches what a watched path names itself, even inside a default', () => {
    const ignored = ignoredPath(spec(['node_modules/lib']), '/p/node_modules/lib/home');
    expect(ignored('/p/node_modules/lib/index.js')).toBe(false);
    expect(ignored('/p/node_modules/lib/node_modules/dep/a.js')).toBe(true);
    const inHome = ignoredPath(spec(['/h/config']), '/h');
    expect(inHome('/h/config/a.yaml')).toBe(false);
  });

  it('skips ignored names (globs per segment) and ignored paths', () => {
    const ignored = ignoredPath(spec(['.'], ['*.log', 'dist', 'tmp/cache']), null);
    expect(ignored('/p/server.log')).toBe(true);
    expect(ignored('/p/dist/app.js')).toBe(true);
    expect(ignored('/p/distant/app.js')).toBe(false);
    expect(ignored('/p/tmp/cache/x')).toBe(true);
    expect(ignored('/p/tmp/other')).toBe(false);
  });
});

describe('sharing watchers', () => {
  it('gives 100 tasks watching one tree one watcher, fanned out to all of them', () => {
    const interests = Array.from({ length: 100 }, (_, i) => ({ id: `bash_${i + 1}`, spec: spec(['.']) }));
    const plans = planWatchers(interests);
    expect(plans).toHaveLength(1);
    expect(plans[0]!.root).toBe('/p');
    expect(plans[0]!.ids).toHaveLength(100);
  });

  it('serves a path inside a watched root from that root, and a distinct root by its own watcher', () => {
    const plans = planWatchers([
      { id: 'a', spec: spec(['src']) },
      { id: 'b', spec: spec(['.']) },
      { id: 'c', spec: spec(['/other']) },
    ]);
    expect(plans.map((p) => [p.root, p.ids])).toEqual([
      ['/p', ['a', 'b']],
      ['/other', ['c']],
    ]);
  });

  it('gives a path the outer root would skip a watcher of its own', () => {
    expect(planWatchers([{ id: 'a', spec: spec(['.']) }, { id: 'b', spec: spec(['node_modules/lib']) }])).toHaveLength(2);
  });

  it('keeps tasks with different ignores on different watchers', () => {
    expect(planWatchers([{ id: 'a', spec: spec(['.']) }, { id: 'b', spec: spec(['.'], ['dist']) }])).toHaveLength(2);
  });
});

describe('the debounce', () => {
  const run = (events: WatchEvent[], debounceMs = 300) => {
    let state: WatchState = WATCH_IDLE;
    const restarts: { path: string; changes: number }[] = [];
    let timerAt: number | null = null;
    for (const e of events) {
      const step = watchStep(state, e, debounceMs);
      state = step.state;
      timerAt = step.timerAt;
      if (step.restart) restarts.push(step.restart);
    }
    return { state, restarts, timerAt };
  };

  it('makes a burst of 500 changes one restart, once quiet for the debounce', () => {
    const burst: WatchEvent[] = Array.from({ length: 500 }, (_, i) => ({ type: 'change', path: `/p/f${i}`, at: i * 2 }));
    const settling = run(burst);
    expect(settling.restarts).toEqual([]);
    expect(settling.timerAt).toBe(998 + 300);
    const done = run([...burst, { type: 'due', at: 1298 }]);
    expect(done.restarts).toEqual([{ path: '/p/f499', changes: 500 }]);
    expect(done.state.phase).toBe('restarting');
  });

  it('waits on when a timer fires before the deadline a later change set', () => {
    const r = run([{ type: 'change', path: '/a', at: 0 }, { type: 'change', path: '/b', at: 200 }, { type: 'due', at: 300 }]);
    expect(r.restarts).toEqual([]);
    expect(r.timerAt).toBe(500);
  });

  it('keeps changes made during a restart for one more restart after it', () => {
    const r = run([
      { type: 'change', path: '/a', at: 0 },
      { type: 'due', at: 300 },
      { type: 'change', path: '/b', at: 400 },
      { type: 'change', path: '/c', at: 450 },
      { type: 'restarted', at: 1000 },
    ]);
    expect(r.state).toEqual({ phase: 'settling', path: '/c', changes: 2, dueAt: 1300 });
    expect(r.timerAt).toBe(1300);
    expect(run([{ type: 'change', path: '/a', at: 0 }, { type: 'due', at: 300 }, { type: 'restarted', at: 900 }]).state).toEqual(WATCH_IDLE);
  });
});
