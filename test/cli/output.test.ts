import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, FIXTURES, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

describe('reading output by offset', () => {
  it('returns every byte exactly once through --new while the task writes', async () => {
    // The task writes until the test has read new output three times while it ran.
    const done = join(home, 'done');
    await cli(home, ['run', '--', 'node', join(FIXTURES, 'print-lines.js'), '100', '2', '0', done]);
    let collected = '';
    let readsWithNews = 0;
    let status = 'running';
    while (status === 'running' || status === 'starting') {
      const page = await cliJson(home, ['logs', 'bash_1', '--new', '--stream', 'stdout']);
      expect(page.stdout.from).toBe(Buffer.byteLength(collected));
      collected += page.stdout.data;
      status = page.status;
      if (page.stdout.data && status === 'running' && ++readsWithNews === 3) writeFileSync(done, '');
    }
    // One more read after the end gets the rest, then nothing.
    const rest = await cliJson(home, ['logs', 'bash_1', '--new', '--stream', 'stdout']);
    collected += rest.stdout.data;
    const empty = await cliJson(home, ['logs', 'bash_1', '--new', '--stream', 'stdout']);
    expect(empty.stdout.data).toBe('');
    expect(readsWithNews).toBe(3);
    expect(collected).toBe(readFileSync(join(home, 'logs/bash_1/stdout.log'), 'utf8'));
    const lines = collected.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(100);
    expect(lines.map((l) => Number(l.split(' ')[1]))).toEqual(lines.map((_, i) => i + 1));
  });

  it('keeps one cursor per consumer (--as) and per stream', async () => {
    await cli(home, ['run', '--', 'echo one; echo two >&2']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    const a = await cliJson(home, ['logs', 'bash_1', '--new', '--as', 'agent-a']);
    expect([a.stdout.data, a.stderr.data]).toEqual(['one\n', 'two\n']);
    const again = await cliJson(home, ['logs', 'bash_1', '--new', '--as', 'agent-a']);
    expect([again.stdout.data, again.stderr.data]).toEqual(['', '']);
    const b = await cliJson(home, ['logs', 'bash_1', '--new', '--as', 'agent-b', '--stream', 'stderr']);
    expect(b.stderr.data).toBe('two\n');
    const bOut = await cliJson(home, ['logs', 'bash_1', '--new', '--as', 'agent-b', '--stream', 'stdout']);
    expect(bOut.stdout.data).toBe('one\n');
  });

  it('passes binary and multi-byte UTF-8 through untouched, and never splits a character across pages', async () => {
    await cli(home, ['run', '--', 'node', join(FIXTURES, 'binary.js')]);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    const file = readFileSync(join(home, 'logs/bash_1/stdout.log'));
    expect(file.length).toBe(256 + Buffer.byteLength('é€😀'.repeat(200) + '\n'));
    const raw = await cli(home, ['logs', 'bash_1', '--stream', 'stdout']);
    expect(raw.stdoutBytes.equals(file)).toBe(true);

    // Page through the text part in 61-byte pages (not a multiple of any character size): each page is whole characters.
    let offset = 256;
    let text = '';
    while (offset < file.length) {
      const page = await cliJson(home, ['logs', 'bash_1', '--stream', 'stdout', '--offset', String(offset), '--max-bytes', '61']);
      expect(page.stdout.data).not.toContain('\uFFFD');
      expect(page.stdout.next).toBeGreaterThan(offset);
      expect(page.stdout.omitted).toBe(file.length - page.stdout.next);
      text += page.stdout.data;
      offset = page.stdout.next;
    }
    expect(text).toBe('é€😀'.repeat(200) + '\n');

    // As JSON, bytes that are not UTF-8 come as base64, and every page of them adds up to the file.
    const binary = await cliJson(home, ['logs', 'bash_1', '--stream', 'stdout', '--max-bytes', '256']);
    expect(binary.stdout.encoding).toBe('base64');
    expect(Buffer.from(binary.stdout.data, 'base64').equals(file.subarray(0, 256))).toBe(true);
    // About thirty CLI calls: a loaded machine needs more than the default 30 s for them.
  }, 120_000);

  it('prints the last lines of what is new with --new --tail, and names what a bounded read left out', async () => {
    await cli(home, ['run', '--', 'seq 1 20']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    const tail = await cli(home, ['logs', 'bash_1', '--new', '--tail', '2']);
    expect([tail.stdout, tail.stderr]).toEqual(['19\n20\n', '']);
    expect((await cli(home, ['logs', 'bash_1', '--new'])).stdout).toBe('');
    const page = await cli(home, ['logs', 'bash_1', '--max-bytes', '10', '--stream', 'stdout']);
    expect(page.stdout).toBe('1\n2\n3\n4\n5\n');
    expect(page.stderr).toBe('corral: stdout: 41 more bytes after byte 10 (read on with --offset 10)\n');
  });

  it('holds back a matching line the task is still writing from a filtered --new read', async () => {
    const go = join(home, 'go');
    await cli(home, ['run', '--', `printf 'line1\\nan err'; while [ ! -e ${go} ]; do sleep 0.02; done; printf 'or happened\\nline3'`]);
    await waitFor(() => readFileSync(join(home, 'logs/bash_1/stdout.log'), 'utf8').endsWith('an err'), 'the half line');
    const early = await cli(home, ['logs', 'bash_1', '--new', '--filter', 'error']);
    expect([early.code, early.stdout]).toEqual([0, '']);
    writeFileSync(go, '');
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    expect((await cli(home, ['logs', 'bash_1', '--new', '--filter', 'error|line3'])).stdout).toBe('an error happened\nline3');
    expect((await cli(home, ['logs', 'bash_1', '--filter', '(?i)AN ERROR'])).stdout).toBe('an error happened\n');
  });

  it('says why a read returned nothing: an offset past the end (exit 0), a deleted log (exit 1)', async () => {
    await cli(home, ['run', '--', 'echo hello; echo oops >&2']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    const past = await cli(home, ['logs', 'bash_1', '--offset', '100']);
    expect([past.code, past.stdout, past.stderr]).toEqual([
      0,
      '',
      'corral: stdout: offset 100 is past the end (the log has 6 bytes)\ncorral: stderr: offset 100 is past the end (the log has 5 bytes)\n',
    ]);
    // At the end exactly, there is nothing to say.
    expect(await cli(home, ['logs', 'bash_1', '--offset', '6', '--stream', 'stdout'])).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const deleted = join(home, 'logs/bash_1/stdout.log');
    rmSync(deleted);
    const gone = await cli(home, ['logs', 'bash_1']);
    expect([gone.code, gone.stdout, gone.stderr]).toEqual([1, '', `corral: stdout: its log file ${deleted} was deleted: this output cannot be read\noops\n`]);
    const json = await cli(home, ['logs', 'bash_1', '--json']);
    expect(json.code).toBe(1);
    const read = JSON.parse(json.stdout);
    expect(read.stdout).toMatchObject({ data: '', gone: true, note: `its log file ${deleted} was deleted: this output cannot be read` });
    expect(read.stderr).toMatchObject({ data: 'oops\n' });
    expect(read.stderr.note).toBeUndefined();
  });

  it('says how much a bounded read left out', async () => {
    await cli(home, ['run', '--', 'node', join(FIXTURES, 'print-lines.js'), '100']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    const size = readFileSync(join(home, 'logs/bash_1/stdout.log')).length;
    const page = await cliJson(home, ['logs', 'bash_1', '--stream', 'stdout', '--max-bytes', '100']);
    expect(page.stdout).toMatchObject({ from: 0, next: 100, size, omitted: size - 100 });
    const tail = await cliJson(home, ['logs', 'bash_1', '--stream', 'stdout', '--tail', '50', '--max-bytes', '100']);
    expect(tail.stdout.next).toBe(size);
    expect(tail.stdout.data.length).toBeLessThanOrEqual(100);
    expect(tail.stdout.omitted).toBeGreaterThan(0);
  });
});
