/**
 * The state file: written atomically, changes nobody waits for batched, what a caller
 * waits for on disk when `flush` resolves, and a damaged file kept aside, never fatal.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../machines/defaults.js';
import type { TaskRecord } from '../../machines/task.types.js';
import { RETRY_MS, Store } from '../../src/store/store.js';
import { waitFor } from '../helpers.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corral-store-'));
  path = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = { PATH: '/usr/bin', HOME: '/home/dev' };

function record(id: string): TaskRecord {
  return {
    id,
    name: null,
    env: null,
    spec: {
      command: 'sleep 1',
      cwd: '/tmp',
      env,
      restart: { ...DEFAULTS.restart, policy: 'no' },
      stopSignal: 'SIGTERM',
      graceMs: 5000,
      health: null,
      stopCommand: null,
      output: 'separate',
      nice: null,
      ionice: null,
      limits: { memoryBytes: null, timeoutMs: null, idleMs: null, idleAction: 'alert' },
      alertOn: null,
    },
    dependsOn: [],
    background: true,
    status: 'running',
    reason: null,
    process: null,
    exitCode: null,
    signal: null,
    restarts: 0,
    health: null,
    createdAt: '2026-11-25T00:00:00.000Z',
    startedAt: null,
    endedAt: null,
    restartAt: null,
  } as unknown as TaskRecord;
}

const onDisk = () => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null);

describe('Store', () => {
  it('writes what a caller waits for by the time flush resolves, and keeps ids and tasks across opens', async () => {
    const store = await Store.open(path);
    expect(store.allocateId()).toBe('bash_1');
    store.put(record('bash_1'));
    await store.flush();
    expect(Object.keys(onDisk().tasks)).toEqual(['bash_1']);
    const again = await Store.open(path);
    expect(again.task('bash_1')?.spec.env).toEqual(env);
    expect(again.allocateId()).toBe('bash_2');
  });

  it('batches changes nobody waits for into one write, soon', async () => {
    const store = await Store.open(path);
    store.put(record('bash_1'));
    store.flushSoon(30);
    store.put(record('bash_2'));
    store.flushSoon(30);
    expect(onDisk()).toBeNull();
    await waitFor(() => onDisk(), 'the batched write', 2000, 5);
    expect(Object.keys(onDisk().tasks).sort()).toEqual(['bash_1', 'bash_2']);
    // No temporary file is left next to it: the write was a rename.
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('keeps the state in memory when a write fails, says so once, and writes it once it can', async () => {
    const store = await Store.open(path);
    const heard: string[] = [];
    store.onWriteTrouble = (t) => heard.push('failing' in t ? 'failing' : 'recovered');
    // lowdb writes a temporary file next to the state first: a folder in its place makes every write fail, as a full disk does.
    const temp = join(dir, '.state.json.tmp');
    mkdirSync(temp);
    store.put(record('bash_1'));
    await store.flush();
    store.put(record('bash_2'));
    await store.flush();
    expect(store.failing).toBe(true);
    expect(onDisk()).toBeNull();
    expect(heard).toEqual(['failing']);
    rmSync(temp, { recursive: true });
    await waitFor(() => onDisk(), 'the retried write', RETRY_MS * 3);
    expect(Object.keys(onDisk().tasks).sort()).toEqual(['bash_1', 'bash_2']);
    expect(heard).toEqual(['failing', 'recovered']);
    expect(store.failing).toBe(false);
  });

  it('takes a pending batch with it when a caller flushes', async () => {
    const store = await Store.open(path);
    store.put(record('bash_1'));
    store.flushSoon(100);
    await store.flush();
    expect(Object.keys(onDisk().tasks)).toEqual(['bash_1']);
    // The batch went with it: nothing writes again when its time would have come.
    rmSync(path);
    await new Promise((r) => setTimeout(r, 250));
    expect(existsSync(path)).toBe(false);
  });

  it('stores an environment shared by many tasks once', async () => {
    const store = await Store.open(path);
    for (let i = 1; i <= 50; i++) store.put({ ...record(`bash_${i}`), spec: { ...record('x').spec, env } });
    await store.flush();
    expect(Object.keys(onDisk().envs)).toHaveLength(1);
    expect((await Store.open(path)).task('bash_50')?.spec.env).toEqual(env);
  });

  it('writes a record again once it is replaced, and only the records that are there', async () => {
    const store = await Store.open(path);
    store.put(record('bash_1'));
    store.put(record('bash_2'));
    await store.flush();
    store.put({ ...record('bash_1'), status: 'completed', exitCode: 0 } as TaskRecord);
    store.remove('bash_2');
    await store.flush();
    expect(onDisk().tasks).toEqual({ bash_1: expect.objectContaining({ status: 'completed', exitCode: 0 }) });
    expect((await Store.open(path)).tasks().map((t) => [t.id, t.status])).toEqual([['bash_1', 'completed']]);
  });

  it('writes a state of megabytes (written asynchronously) whole, in order, and without a temporary file left', async () => {
    const store = await Store.open(path);
    const n = 3_000;
    for (let i = 1; i <= n; i++) store.put({ ...record(`bash_${i}`), name: `task-${i}`, spec: { ...record('x').spec, command: `sleep ${'9'.repeat(300)}` } } as TaskRecord);
    const first = store.flush();
    // A write asked for while one is under way waits for it, and takes what changed meanwhile.
    store.put({ ...record('bash_1'), status: 'killed' } as TaskRecord);
    const second = store.flush();
    await Promise.all([first, second]);
    expect(statSync(path).size).toBeGreaterThan(1 << 20);
    const again = await Store.open(path);
    expect(again.tasks()).toHaveLength(n);
    expect(again.tasks()[n - 1]!.id).toBe(`bash_${n}`);
    expect(again.task('bash_1')!.status).toBe('killed');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it("forgets a task's read cursors with it, and no one else's", async () => {
    const store = await Store.open(path);
    store.put(record('bash_1'));
    store.put(record('bash_2'));
    store.setCursor('up', 'bash_1', 'stdout', 10);
    store.setCursor('mcp', 'bash_1', 'stderr', 5);
    store.setCursor('up', 'bash_2', 'stdout', 7);
    await store.flush();
    const again = await Store.open(path);
    again.remove('bash_1');
    expect([again.cursor('up', 'bash_1', 'stdout'), again.cursor('mcp', 'bash_1', 'stderr'), again.cursor('up', 'bash_2', 'stdout')]).toEqual([0, 0, 7]);
    await again.flush();
    expect(Object.keys(onDisk().cursors)).toEqual(['up\u0000bash_2\u0000stdout']);
  });

  it('saves a cursor move as a line of its own, which the next open replays and the next write of the state takes in', async () => {
    const store = await Store.open(path);
    store.put(record('bash_1'));
    await store.flush();
    const stateBefore = readFileSync(path, 'utf8');
    store.setCursor('cli', 'bash_1', 'stdout', 10);
    store.setCursor('cli', 'bash_1', 'stdout', 25);
    store.setCursor('mcp', 'bash_1', 'stderr', 4);
    await store.saveCursors();
    // The state file was not written again: the moves are in the cursor log, one line per cursor.
    expect(readFileSync(path, 'utf8')).toBe(stateBefore);
    const log = join(dir, 'cursors.log');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);
    store.setCursor('cli', 'bash_1', 'stdout', 40);
    await store.saveCursors();
    // A line cut short and one of a task the state does not have are skipped.
    writeFileSync(log, `${readFileSync(log, 'utf8')}["cli","bash_9","stdout",3]\n["cli","bash_1","stdout",9`, { flag: 'w' });
    const again = await Store.open(path);
    expect([again.cursor('cli', 'bash_1', 'stdout'), again.cursor('mcp', 'bash_1', 'stderr'), again.cursor('cli', 'bash_9', 'stdout')]).toEqual([40, 4, 0]);
    // A write of the state holds every move, and the log goes.
    await again.flush();
    expect(existsSync(log)).toBe(false);
    expect(onDisk().cursors).toEqual({ 'cli\u0000bash_1\u0000stdout': 40, 'mcp\u0000bash_1\u0000stderr': 4 });
    expect((await Store.open(path)).cursor('cli', 'bash_1', 'stdout')).toBe(40);
  });

  it('keeps a state file it cannot read aside and starts afresh', async () => {
    writeFileSync(path, '{"version":1,"tasks":{');
    const store = await Store.open(path);
    expect(store.damage).toMatchObject({ keptAs: expect.stringMatching(/state\.json\.damaged-\d+$/), unreadable: 'not JSON' });
    expect(readFileSync(store.damage!.keptAs!, 'utf8')).toBe('{"version":1,"tasks":{');
    expect(existsSync(path)).toBe(false);
    expect(store.tasks()).toEqual([]);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('keeps the good records of a partly damaged file, and a copy of the file as it was', async () => {
    const text = JSON.stringify({ version: 1, nextId: 3, tasks: { bash_1: record('bash_1'), bash_2: { ...record('bash_2'), status: 5 } }, cursors: {} });
    writeFileSync(path, text);
    const store = await Store.open(path);
    expect(store.tasks().map((t) => t.id)).toEqual(['bash_1']);
    expect([...store.damage!.badRecords.keys()]).toEqual(['bash_2']);
    expect(store.damage!.unreadable).toBeNull();
    expect(readFileSync(store.damage!.keptAs!, 'utf8')).toBe(text);
    // Untouched until the next write: a daemon that dies first loses nothing more.
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(store.allocateId()).toBe('bash_3');
  });
});
