/**
 * `corral wait --until …` on real processes: each condition's verdict comes with its
 * evidence (the line and its offset, the port, the status code, the silence, the first
 * error line and last stderr lines), a time-out with the last lines and what the task is
 * doing, and bad input is one sentence with exit 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, FIXTURES, freePort, makeHome, waitFor } from '../helpers.js';

let home: string;

beforeEach(() => {
  home = makeHome();
});

afterEach(async () => {
  await cleanupHome(home);
});

const run = async (...command: string[]) => {
  const r = await cli(home, ['run', '--', ...command]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
};
const waitJson = async (args: string[]) => {
  const r = await cli(home, ['wait', ...args, '--json']);
  return { code: r.code, result: JSON.parse(r.stdout), stderr: r.stderr };
};
const log = (id: string, stream = 'stdout') => readFileSync(join(home, 'logs', id, `${stream}.log`), 'utf8');

describe('wait --until log:RE', () => {
  it('returns the matching line with its stream and byte offset', async () => {
    const id = await run('sh', '-c', 'echo starting; echo "warming up" >&2; sleep 0.5; echo "listening on 4000"; sleep 30');
    const { code, result } = await waitJson([id, '--until', 'log:(?i)LISTENING on \\d+', '--timeout', '10s']);
    expect(code).toBe(0);
    expect(result).toMatchObject({ reached: true, until: 'log:(?i)LISTENING on \\d+', match: { stream: 'stdout', offset: 'starting\n'.length, line: 'listening on 4000' } });
    expect(log(id).slice(result.match.offset)).toMatch(/^listening on 4000\n/);
    expect(result.searched.stdout).toBe(log(id).length);

    const text = await cli(home, ['wait', id, '--until', 'log:warming']);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(`${id} running; a line matches /warming/ (stderr, byte 0):\n  warming up\n`);
  });

  it("finds a line written before the wait began (this run's output); with --from end, only lines written after it began", async () => {
    const go = join(home, 'go');
    const id = await run('sh', '-c', `echo ready; while [ ! -e ${go} ]; do sleep 0.05; done; while true; do echo ready again; sleep 0.2; done`);
    await waitFor(() => log(id).includes('ready'), 'the first line');
    const early = await waitJson([id, '--until', 'log:ready', '--timeout', '5s']);
    expect(early.result.match).toMatchObject({ offset: 0, line: 'ready' });
    const old = await waitJson([id, '--until', 'log:ready', '--from', 'end', '--timeout', '300ms']);
    expect(old.result).toMatchObject({ reached: false, timedOut: true, searched: { stdout: 'ready\n'.length, stderr: 0 } });
    writeFileSync(go, '');
    const before = log(id).length;
    const next = await waitJson([id, '--until', 'log:ready', '--from', 'end', '--timeout', '5s']);
    expect(next.result.match).toMatchObject({ stream: 'stdout', line: 'ready again' });
    expect(next.result.match.offset).toBeGreaterThanOrEqual(before);
    expect(log(id).slice(next.result.match.offset)).toMatch(/^ready again\n/);
  });

  it('searches a log of many blocks whole, from any offset', async () => {
    // 200,000 lines (about 2.3 MB) before the one looked for: many 64 KiB blocks.
    const id = await run('node', '-e', "let s='';for(let i=0;i<200000;i++)s+='filler '+i+'\\n';process.stdout.write(s+'NEEDLE here\\n');setInterval(()=>{},1000)");
    await waitFor(() => log(id).includes('NEEDLE'), 'the whole output');
    const { result } = await waitJson([id, '--until', 'log:^NEEDLE', '--timeout', '5s']);
    expect(result.match.offset).toBe(log(id).indexOf('NEEDLE here'));
  });
});

describe('wait --until port:N', () => {
  let outside: Server | undefined;
  afterEach(() => outside?.close());

  it("returns once the task's own tree listens on the port, and not for a port held by another process", async () => {
    const port = await freePort();
    const gate = join(home, 'listen');
    // The listener is a grandchild of the task's shell, started only once the gate file
    // exists, so the wait below is known to begin before the port is open.
    const id = await run('sh', '-c', `while [ ! -e ${gate} ]; do sleep 0.05; done; node -e "require('net').createServer().listen(${port}, '127.0.0.1')" & wait`);
    let settled = false;
    const waiting = waitJson([id, '--until', `port:${port}`, '--timeout', '20s']).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(settled, 'wait returned before the port was opened').toBe(false);
    writeFileSync(gate, '');
    const { code, result } = await waiting;
    expect(code).toBe(0);
    expect(result).toMatchObject({ reached: true, port });

    const other = await freePort();
    outside = createServer().listen(other, '127.0.0.1');
    const idle = await run('sleep', '30');
    const late = await waitJson([idle, '--until', `port:${other}`, '--timeout', '600ms']);
    expect(late.code).toBe(1);
    expect(late.result).toMatchObject({ reached: false, timedOut: true, ports: [] });
  });
});

describe('wait --until http:URL', () => {
  it('returns the status code once the URL answers, and the last answer when it never answers well', async () => {
    const port = await freePort();
    const server = `require('http').createServer((q, s) => { s.statusCode = q.url === '/ok' ? 200 : 404; s.end(); }).listen(${port}, '127.0.0.1')`;
    const id = await run('sh', '-c', `sleep 0.5; exec node -e "${server}"`);
    const { code, result } = await waitJson([id, '--until', `http:http://127.0.0.1:${port}/ok`, '--timeout', '10s']);
    expect(code).toBe(0);
    expect(result).toMatchObject({ reached: true, until: `http:http://127.0.0.1:${port}/ok`, http: { status: 200 } });

    const missing = await cli(home, ['wait', id, '--until', `http://127.0.0.1:${port}/missing`, '--timeout', '700ms']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^corral: timed out waiting for bash_1 \(running\) after \d+ms \(until http:http:\/\/127\.0\.0\.1:\d+\/missing\)$/m);
    expect(missing.stderr).toMatch(/^last answer: 404$/m);
  });
});

describe('wait --until silence:DURATION', () => {
  it('returns once the task has written nothing for that long, with the time since its last output', async () => {
    const id = await run('node', join(FIXTURES, 'print-lines.js'), '15', '100', '0', join(home, 'never'));
    const t0 = Date.now();
    // It prints every 100 ms, forever: never 600 ms of silence.
    const busy = await waitJson([id, '--until', 'silence:600ms', '--timeout', '1500ms']);
    expect(busy.code).toBe(1);
    expect(busy.result.silentMs).toBeLessThan(600);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_400);

    const quiet = await run('sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do echo $i; sleep 0.1; done; sleep 30');
    const { code, result } = await waitJson([quiet, '--until', 'silence:600ms', '--timeout', '10s']);
    expect(code).toBe(0);
    expect(result.silentMs).toBeGreaterThanOrEqual(600);
    expect(log(quiet)).toBe('1\n2\n3\n4\n5\n6\n7\n8\n');
    const text = await cli(home, ['wait', quiet, '--until', 'silence:600ms']);
    expect(text.stdout).toMatch(/^bash_2 running; no output for \d/);
  });
});

describe('wait --until exit', () => {
  it('gives the exit code with the first error line and the last lines of stderr', async () => {
    const id = await run('sh', '-c', 'echo "compiling"; echo "warning: slow disk" >&2; sleep 0.3; echo "TypeError: x is undefined" >&2; echo "    at main (app.js:3)" >&2; echo "done"; exit 3');
    const r = await cli(home, ['wait', id, '--until', 'exit', '--timeout', '10s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        'bash_1 failed: exit 3',
        `first error line (stderr, byte ${'warning: slow disk\n'.length}): TypeError: x is undefined`,
        'last lines of stderr:',
        '  warning: slow disk',
        '  TypeError: x is undefined',
        '      at main (app.js:3)',
        'last lines of stdout:',
        '  compiling',
        '  done',
        '',
      ].join('\n'),
    );
    const { result } = await waitJson([id]);
    expect(result).toMatchObject({
      reached: false,
      timedOut: false,
      task: { status: 'failed', exitCode: 3 },
      firstError: { stream: 'stderr', offset: 19, line: 'TypeError: x is undefined' },
      stderrTail: ['warning: slow disk', 'TypeError: x is undefined', '    at main (app.js:3)'],
    });
  });

  it('finds the first error line on stdout when stderr has none, and says so when there is none', async () => {
    const id = await run('sh', '-c', 'echo "test a ok"; echo " FAIL  test/b.test.ts > adds"; echo "FAIL again"; exit 1');
    const { result } = await waitJson([id]);
    expect(result.firstError).toEqual({ stream: 'stdout', offset: 'test a ok\n'.length, line: ' FAIL  test/b.test.ts > adds' });
    const clean = await run('sh', '-c', 'echo all good');
    const ok = await waitJson([clean]);
    expect(ok.code).toBe(0);
    expect(ok.result).toMatchObject({ reached: true, firstError: null, stderrTail: [] });
  });
});

describe('wait time-outs and mistakes', () => {
  it('times out with the last lines and what the task is doing', async () => {
    const port = await freePort();
    const id = await run('node', '-e', `console.log('booting'); console.error('still booting'); require('net').createServer().listen(${port}, '127.0.0.1')`);
    await waitFor(() => log(id, 'stderr').includes('still booting'), 'its output');
    const r = await cli(home, ['wait', id, '--until', 'log:never', '--timeout', '500ms']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^corral: timed out waiting for bash_1 \(running\) after \d+ms \(until log:never\)$/);
    expect(r.stderr).toContain(`listening on ${port}`);
    expect(r.stderr).toMatch(/^searched to stdout byte 8, stderr byte 14$/m);
    expect(r.stderr).toMatch(/^last lines of bash_1:\n {2}booting\n {2}stderr: still booting\n$/m);
    const { result } = await waitJson([id, '--until', 'log:never', '--timeout', '300ms']);
    expect(result).toMatchObject({ reached: false, timedOut: true, ports: [port], lastLines: ['booting', 'stderr: still booting'] });
  });

  it('refuses a bad --until with one sentence and exit 2', async () => {
    const cases: [string, RegExp][] = [
      ['lunch', /^corral: --until: "lunch" is not one of exit, running, healthy, log:RE, port:N, http:URL or silence:DURATION\n$/],
      ['port:http', /^corral: --until: "http" is not a TCP port \(1-65535\)\n$/],
      ['port:70000', /^corral: --until: "70000" is not a TCP port/],
      ['log:(', /^corral: --until: "\(" is not a valid regular expression/],
      ['log:', /^corral: --until: log: needs a regular expression/],
      ['silence:soon', /^corral: --until: /],
      ['http:ftp://host/', /^corral: --until: "ftp:\/\/host\/" is not an http:\/\/ or https:\/\/ URL\n$/],
    ];
    for (const [until, message] of cases) {
      const r = await cli(home, ['wait', 'bash_1', '--until', until]);
      expect(r.code, until).toBe(2);
      expect(r.stderr, until).toMatch(message);
      expect(r.stderr.trim().split('\n'), until).toHaveLength(1);
    }
    expect((await cli(home, ['wait', 'bash_9', '--until', 'log:x'])).code).toBe(3);
  });
});
