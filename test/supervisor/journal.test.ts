/**
 * The event journal on its own: a bound on its size, a seq that goes on from the journal's
 * tail (and past any cursor a client holds), reads of old events from the file, and lines
 * a crash cut short.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../machines/task.types.js';
import { eventFilter, EventLog } from '../../src/supervisor/events.js';
import { JournalFile } from '../../src/supervisor/journal-file.js';
import { eventSubject } from '../../src/supervisor/records.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corral-journal-'));
  path = join(dir, 'events.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (maxBytes = 1 << 20, floor = 0) => new EventLog(new JournalFile(path, maxBytes), floor);
const alert = (log: EventLog, n: number) =>
  log.push({ type: 'alert', id: `bash_${n}`, name: null, env: null, stream: 'stdout', line: `line ${n} ${'x'.repeat(40)}`, rule: 'x' });
const sizeOf = (p: string) => statSync(p, { throwIfNoEntry: false })?.size ?? 0;
const seqs = (batch: { events: { seq: number }[] }) => batch.events.map((e) => e.seq);
/** The seqs of a journal file's lines, in the file's order. */
const seqsIn = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { seq: number }).seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the event journal', () => {
  it('stays within its size bound, and its seq goes on growing across reopenings', () => {
    const bound = 8 * 1024;
    let log = open(bound);
    for (let n = 1; n <= 300; n++) alert(log, n);
    log.close();
    // 300 lines of ~150 bytes are far over 8 KB: the older half went, the two files hold at most the bound.
    expect(sizeOf(path) + sizeOf(`${path}.1`)).toBeLessThanOrEqual(bound);
    expect(sizeOf(`${path}.1`)).toBeGreaterThan(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    log = open(bound);
    expect(log.last).toBe(300);
    alert(log, 301);
    expect(log.last).toBe(301);
    log.close();
    // A fresh log holds nothing in memory: the read comes from the files, says what the bound
    // trimmed, and gives every kept event once, in order, up to the last.
    log = open(bound);
    const all = log.read(0);
    expect(all.trimmed).toBeGreaterThan(0);
    expect(seqs(all)).toEqual(range(all.trimmed! + 1, 301));
    log.close();
  });

  it('reads old events from the file after any seq, a page at a time', () => {
    let log = open();
    for (let n = 1; n <= 5_000; n++) alert(log, n);
    log.close();
    log = open();
    const page = log.read(1_234, () => true, 10);
    expect(seqs(page)).toEqual(range(1_235, 1_244));
    expect(page).toMatchObject({ last: 1_244, more: true });
    expect(page.trimmed).toBeUndefined();
    // A filter is applied as it reads; `last` says how far it looked.
    const odd = log.read(4_990, (e) => Number(e.id.slice(5)) % 2 === 1);
    expect(seqs(odd)).toEqual([4_991, 4_993, 4_995, 4_997, 4_999]);
    expect(odd.last).toBe(5_000);
    expect(odd.more).toBeUndefined();
    log.close();
  });

  it('numbers past a seq a client has read, even when the journal lost it', () => {
    let log = open();
    for (let n = 1; n <= 3; n++) alert(log, n);
    log.close();
    rmSync(path);
    log = open(1 << 20, 42);
    alert(log, 4);
    expect(log.last).toBe(43);
    log.close();
  });

  it('passes over a line a crash cut short, and starts the next on a line of its own', () => {
    let log = open();
    for (let n = 1; n <= 3; n++) alert(log, n);
    log.close();
    appendFileSync(path, '{"seq":4,"at":"2026-');
    log = open();
    expect(log.last).toBe(3);
    alert(log, 4);
    log.close();
    expect(readFileSync(path, 'utf8').split('\n').at(-2)).toMatch(/^\{"seq":4,"at":"\d{4}-\d\d-\d\dT/);
    log = open();
    expect(log.last).toBe(4);
    expect(seqs(log.read(0))).toEqual([1, 2, 3, 4]);
    log.close();
  });

  it('wakes a wait the moment an event comes, and a wait whose client went ends at once', async () => {
    const log = open();
    alert(log, 1);
    const waiting = log.wait(1, 10_000);
    setTimeout(() => alert(log, 2), 20);
    expect(seqs(await waiting)).toEqual([2]);
    const gone = new AbortController();
    const abandoned = log.wait(2, 10_000, () => true, 10, gone.signal);
    gone.abort();
    expect(await abandoned).toEqual({ events: [], last: 2 });
    log.close();
  });

  it('writes the events of one turn together once the turn is done, in order and complete, before a waiting client hears of them', async () => {
    const log = open();
    alert(log, 1);
    // The wait reads first, which writes what is pending (event 1).
    const waiting = log.wait(1, 10_000);
    const before = sizeOf(path);
    expect(before).toBeGreaterThan(0);
    let heard: number[] | null = null;
    // What the file holds when the client is answered.
    void waiting.then(() => (heard = seqsIn(path)));
    for (let n = 2; n <= 1_000; n++) alert(log, n);
    // Still within the turn: nothing written yet, and nobody woken.
    expect(sizeOf(path)).toBe(before);
    expect(heard).toBeNull();
    expect(seqs(await waiting)).toEqual(range(2, 1_000));
    expect(heard).toEqual(range(1, 1_000));
    // A read within a turn writes what is pending first: what it returns is on disk.
    alert(log, 1_001);
    expect(seqs(log.read(1_000))).toEqual([1_001]);
    expect(seqsIn(path)).toEqual(range(1, 1_001));
    log.close();
  });

  it('turns the file over within a batch when it reaches half the bound, keeping every line of the newer file whole', () => {
    const bound = 4 * 1024;
    const log = open(bound);
    for (let n = 1; n <= 100; n++) alert(log, n);
    expect(log.last).toBe(100);
    const newer = seqsIn(path);
    const older = seqsIn(`${path}.1`);
    expect(sizeOf(path)).toBeLessThanOrEqual(bound / 2);
    expect(sizeOf(`${path}.1`)).toBeLessThanOrEqual(bound / 2);
    // The older file ends where the newer begins, and the newer ends with the last.
    expect([...older, ...newer]).toEqual(range(older[0]!, 100));
    log.close();
  });

  it("carries the session of a task whose record has one, and --session keeps that session's events", () => {
    const log = open();
    const record = (id: string, session?: string) => ({ id, name: null, env: null, ...(session ? { session } : {}) }) as unknown as TaskRecord;
    log.push({ type: 'health', ...eventSubject(record('bash_1', 'abc')), health: 'healthy', reason: 'healthy' });
    log.push({ type: 'health', ...eventSubject(record('bash_2')), health: 'healthy', reason: 'healthy' });
    const mine = log.read(0, eventFilter({ session: 'abc' }, null));
    expect(mine.events.map((e) => [e.id, e.session])).toEqual([['bash_1', 'abc']]);
    expect(log.read(0).events[1]).not.toHaveProperty('session');
    log.close();
  });
});
