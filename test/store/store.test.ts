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

  it('keeps a damaged state file aside and starts afresh', async () => {
    writeFileSync(path, '{"version":1,"tasks":{');
    const store = await Store.open(path);
    expect(store.recovered).toMatch(/state\.json\.damaged-\d+$/);
    expect(readFileSync(store.recovered!, 'utf8')).toBe('{"version":1,"tasks":{');
    expect(store.tasks()).toEqual([]);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});
