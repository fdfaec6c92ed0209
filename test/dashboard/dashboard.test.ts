/**
 * The dashboard served by a real daemon, asked as a browser would (and as a hostile page
 * would): the token, the cookie, the Host and Origin checks, the headers, the files, and
 * the API over real tasks. Requests go through node:http, not fetch: fetch drops a Host
 * header it is given, and the rebinding check is about exactly that header.
 */
import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, FIXTURES, freePort, isRunning, makeHome, waitFor } from '../helpers.js';

let home: string;
let port: number;
let token: string;
let origin: string;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(path: string, options: { method?: string; headers?: Record<string, string>; cookie?: boolean } = {}): Promise<Answer> {
  const headers: Record<string, string> = { Host: `127.0.0.1:${port}`, ...(options.cookie !== false ? { Cookie: `corral_token=${token}` } : {}), ...options.headers };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const post = (path: string, headers: Record<string, string> = { Origin: origin }) => call(path, { method: 'POST', headers });
const getJson = async (path: string) => {
  const r = await call(path);
  expect(r.status, r.body).toBe(200);
  return JSON.parse(r.body);
};

beforeAll(async () => {
  home = makeHome();
  const served = await cliJson<{ url: string; port: number }>(home, ['dashboard']);
  port = served.port;
  const url = new URL(served.url);
  token = url.searchParams.get('token')!;
  origin = `http://127.0.0.1:${port}`;
  expect(url.origin).toBe(origin);
});
afterAll(async () => {
  await cleanupHome(home);
});

describe('corral dashboard', () => {
  it('serves one port, with the home secret as the token, kept in a file only the user reads', async () => {
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(home, 'secret')).mode & 0o777).toBe(0o600);
    const again = await cliJson<{ url: string; port: number }>(home, ['dashboard']);
    expect(again.port).toBe(port);
    const text = await cli(home, ['dashboard']);
    expect(text.stdout).toBe(`http://127.0.0.1:${port}/?token=${token}\n`);
  });
});

describe('corral dashboard --port', () => {
  it('serves on the port asked for, and says so when that port is taken', async () => {
    const other = makeHome();
    const holder = createServer();
    try {
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const taken = (holder.address() as AddressInfo).port;
      const refused = await cli(other, ['dashboard', '--port', String(taken)]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`corral: 127.0.0.1:${taken} is in use: choose another port, or give none for any free one\n`);
      const wanted = await freePort();
      expect((await cliJson(other, ['dashboard', '--port', String(wanted)])).port).toBe(wanted);
      // Served already: another port asked for gets the one served, and a word about it.
      const again = await cli(other, ['dashboard', '--port', String(taken)]);
      expect(again.stdout).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${wanted}/\\?token=`));
      expect(again.stderr).toBe(`corral: the dashboard is served already, on port ${wanted}\n`);
    } finally {
      holder.close();
      await cleanupHome(other);
    }
  });
});

describe('security', () => {
  it('refuses a request without the token, and a wrong token', async () => {
    for (const path of ['/', '/api/tasks', '/api/events']) {
      const r = await call(path, { cookie: false });
      expect(r.status, path).toBe(401);
      expect(JSON.parse(r.body).error).toMatch(/token/);
    }
    expect((await call(`/?token=${'0'.repeat(64)}`, { cookie: false })).status).toBe(401);
    expect((await call('/api/tasks', { cookie: false, headers: { Cookie: 'corral_token=nope' } })).status).toBe(401);
  });

  it('turns the token in the URL into a strict cookie and sends the browser on without it', async () => {
    const r = await call(`/?token=${token}`, { cookie: false });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const cookie = r.headers['set-cookie']![0]!;
    expect(cookie).toMatch(new RegExp(`^corral_token=${token};`));
    for (const flag of ['HttpOnly', 'SameSite=Strict', 'Path=/']) expect(cookie).toContain(flag);
    // The cookie alone is enough from then on.
    expect((await call('/')).status).toBe(200);
  });

  it('refuses a Host that is not a loopback name with the port (DNS rebinding)', async () => {
    for (const host of [`evil.example:${port}`, 'localhost', `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`]) {
      const r = await call('/api/tasks', { headers: { Host: host } });
      expect(r.status, host).toBe(403);
    }
    for (const host of [`localhost:${port}`, `[::1]:${port}`]) expect((await call('/api/tasks', { headers: { Host: host } })).status, host).toBe(200);
  });

  it('refuses a POST from another origin, or with none', async () => {
    await cli(home, ['run', '--name', 'target', '--', 'sleep 300']);
    for (const headers of [{ Origin: 'http://evil.example' }, { Origin: `http://localhost:${port + 1}` }, {}] as Record<string, string>[]) {
      const r = await post('/api/tasks/target/kill', headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
    }
    expect((await cliJson(home, ['status', 'target'])).status).toBe('running');
    await cli(home, ['kill', 'target']);
  });

  it('sends the strict CSP and nosniff with every answer, refusals too', async () => {
    const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
    for (const r of [await call('/'), await call('/api/tasks'), await call('/api/tasks', { cookie: false }), await call('/', { headers: { Host: 'evil.example' } })]) {
      expect(r.headers['content-security-policy']).toBe(csp);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves no file outside the page folder', async () => {
    writeFileSync(join(home, 'outside.txt'), 'not for the web\n');
    for (const path of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/..%5c..%5cpackage.json', '/%2e%2e%2f%2e%2e%2f%2e%2e%2fsrc%2fhome.ts', `/..%2f..%2f..%2f..%2f..%2f..%2f..%2f${home.slice(1).replaceAll('/', '%2f')}%2foutside.txt`, '/%00']) {
      const r = await call(path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toMatch(/"name": "corral"|not for the web|resolveHome/);
    }
    // A view of the page (no extension) gets the page; a missing file does not.
    const view = await call('/tasks/bash_1');
    expect(view.status).toBe(200);
    expect(view.headers['content-type']).toMatch(/^text\/html/);
    expect((await call('/missing.js')).status).toBe(404);
  });
});

describe('API', () => {
  it('lists a running task as corral ls --json does', async () => {
    const id = (await cli(home, ['run', '--name', 'lister', '--', 'sleep 300'])).stdout.trim();
    await waitFor(async () => (await cliJson(home, ['status', id])).status === 'running', 'the task to run');
    const { tasks } = await getJson('/api/tasks');
    const ls = await cliJson<any[]>(home, ['ls']);
    const mine = tasks.find((t: any) => t.id === id);
    expect(mine).toMatchObject({ id, name: 'lister', status: 'running', command: 'sleep 300' });
    // The objects of ls --json, and the ports the task's tree listens on.
    expect(Object.keys(mine).sort()).toEqual([...Object.keys(ls.find((t) => t.id === id)), 'ports'].sort());
    expect(mine.ports).toEqual([]);
    const details = await getJson(`/api/tasks/${id}`);
    expect(details).toMatchObject({ id, definition: { command: 'sleep 300', env: {} } });
    expect(Array.isArray(details.samples) && Array.isArray(details.events)).toBe(true);
    expect(details.events.some((e: any) => e.type === 'state' && e.status === 'running')).toBe(true);
    expect((await call('/api/tasks/nope')).status).toBe(404);
    await cli(home, ['kill', id]);
  });

  it('lists the ports a running task listens on', async () => {
    const listenPort = await freePort();
    const id = (await cli(home, ['run', '--', `node ${join(FIXTURES, 'listen.js')} ${listenPort}`])).stdout.trim();
    const listed = await waitFor(async () => {
      const { tasks } = await getJson('/api/tasks');
      const t = tasks.find((x: any) => x.id === id);
      return t?.ports.length > 0 ? t : null;
    }, 'the port to be listed');
    expect(listed.ports).toEqual([listenPort]);
    await cli(home, ['kill', id]);
  });

  it('answers the end of a 1 GB log with its last line, reading only the window', async () => {
    const id = (await cli(home, ['run', '--log-max-size', 'off', '--', 'echo first; sleep 300'])).stdout.trim();
    const log = join(home, 'logs', id, 'stdout.log');
    await waitFor(() => statSync(log, { throwIfNoEntry: false })?.size === 6, 'the first line');
    // Sparse: a gigabyte of holes, then a last line.
    truncateSync(log, 1024 ** 3);
    appendFileSync(log, '\nthe last line\n');
    const t0 = Date.now();
    const w = await getJson(`/api/tasks/${id}/log?max=4096`);
    const took = Date.now() - t0;
    expect(w.size).toBe(1024 ** 3 + 15);
    expect(w.end).toBe(w.size);
    expect(w.text.endsWith('the last line\n')).toBe(true);
    expect(w.end - w.start).toBeLessThanOrEqual(4096);
    // Reading the gigabyte would take seconds; the window takes a few milliseconds (generous for a loaded machine).
    expect(took).toBeLessThan(3_000);
    // Scrolling back: the window before it ends where this one starts.
    const back = await getJson(`/api/tasks/${id}/log?before=${w.start}&max=4096`);
    expect(back.end).toBe(w.start);
    // From the start: the first line.
    const first = await getJson(`/api/tasks/${id}/log?offset=0&max=100`);
    expect(first).toMatchObject({ start: 0, end: 6, text: 'first\n' });
    expect(JSON.parse((await call(`/api/tasks/${id}/log?stream=combined`)).body).error).toMatch(/separate logs/);
    expect((await call(`/api/tasks/${id}/log?filter=(`)).status).toBe(400);
    await cli(home, ['kill', id]);
  });

  it("streams a task's exit as a Server-Sent Event", async () => {
    const { status, headers, lines, close } = await openEvents();
    try {
      expect(status).toBe(200);
      expect(headers['content-type']).toMatch(/^text\/event-stream/);
      const id = (await cli(home, ['run', '--', 'echo hello; exit 3'])).stdout.trim();
      const event = await waitFor(() => lines().find((l) => l.startsWith('data: ') && l.includes(`"id":"${id}"`) && l.includes('"status":"failed"')), 'the exit event');
      expect(JSON.parse(event.slice(6))).toMatchObject({ type: 'state', id, status: 'failed', exitCode: 3 });
      // Its `id:` is the journal seq, the line before.
      const at = lines().indexOf(event);
      expect(lines()[at - 1]).toBe(`id: ${JSON.parse(event.slice(6)).seq}`);
      // Its output, written and done with before any look at its log, is announced too.
      await waitFor(() => lines().includes(`data: {"id":"${id}","stream":"stdout","size":6}`), 'the log event of its one line');
    } finally {
      close();
    }
  });

  it('resumes an event stream after the seq in Last-Event-ID', async () => {
    const id = (await cli(home, ['run', '--', 'exit 0'])).stdout.trim();
    await waitFor(async () => (await cliJson(home, ['status', id])).status === 'completed', 'the task to end');
    const all = await openEvents({ 'Last-Event-ID': '0' });
    try {
      const seqs = await waitFor(() => {
        const found = all.lines().filter((l) => l.startsWith('id: ')).map((l) => Number(l.slice(4)));
        return found.length >= 3 ? found : null;
      }, 'the journal from its start');
      expect(seqs.slice(0, 3)).toEqual([1, 2, 3]);
    } finally {
      all.close();
    }
    const later = await openEvents({ 'Last-Event-ID': '2' });
    try {
      const first = await waitFor(() => later.lines().find((l) => l.startsWith('id: ')), 'an event after seq 2');
      expect(first).toBe('id: 3');
    } finally {
      later.close();
    }
  });

  it("says when a task's log grows, a few times a second at most", async () => {
    const stream = await openEvents();
    const opened = Date.now();
    try {
      const id = (await cli(home, ['run', '--', 'while :; do echo tick; sleep 0.01; done'])).stdout.trim();
      const logEvents = () =>
        stream
          .lines()
          .map((l, i, all) => (all[i - 1] === 'event: log' && l.startsWith('data: ') ? JSON.parse(l.slice(6)) : null))
          .filter((e) => e?.id === id);
      await waitFor(() => logEvents().length >= 5, 'five log events');
      const seen = logEvents();
      const seconds = (Date.now() - opened) / 1000;
      expect(seen[0]).toMatchObject({ id, stream: 'stdout' });
      // Sizes only grow, and come at most ten a second per task.
      for (let i = 1; i < seen.length; i++) expect(seen[i].size).toBeGreaterThan(seen[i - 1].size);
      expect(seen.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
      await cli(home, ['kill', id]);
    } finally {
      stream.close();
    }
  });

  it("sends each sampler tick's CPU and memory of the running tasks, with no journal event", async () => {
    const id = (await cli(home, ['run', '--', 'sleep 300'])).stdout.trim();
    const stream = await openEvents();
    try {
      const samples = () =>
        stream
          .lines()
          .map((l, i, all) => (all[i - 1] === 'event: samples' && l.startsWith('data: ') ? JSON.parse(l.slice(6)) : null))
          .filter((e) => e !== null);
      const [first, second] = await waitFor(() => {
        const withTask = samples().filter((e) => e.tasks[id]);
        return withTask.length >= 2 ? withTask : null;
      }, 'two samples events with the task');
      expect(first.tasks[id].rss).toBeGreaterThan(0);
      expect(typeof first.tasks[id].cpu).toBe('number');
      expect(second.t).toBeGreaterThan(first.t);
      // A samples event is no journal event: it has no id, so it moves no client's Last-Event-ID.
      const at = stream.lines().indexOf(`data: ${JSON.stringify(first)}`);
      expect(stream.lines()[at - 1]).toBe('event: samples');
      expect(stream.lines()[at - 2]).toBe('');
    } finally {
      stream.close();
      await cli(home, ['kill', id]);
    }
  });

  it('reads the one log of a task with combined output as the combined stream', async () => {
    const file = join(home, 'combined.yaml');
    writeFileSync(file, ['name: both', 'tasks:', '  talker:', '    command: "echo out; echo err >&2; sleep 300"', '    output: combined', ''].join('\n'));
    const stream = await openEvents();
    try {
      await cliJson(home, ['orchestrate', 'both', '-f', file]);
      const [{ id }] = await cliJson<any[]>(home, ['ls', '--env', 'both']);
      const w = await waitFor(async () => {
        const got = await getJson(`/api/tasks/${id}/log`);
        return got.text === 'out\nerr\n' ? got : null;
      }, 'both lines in the one log');
      expect(w.stream).toBe('combined');
      expect(JSON.parse((await call(`/api/tasks/${id}/log?stream=stderr`)).body).error).toMatch(/one log: ask for combined/);
      await waitFor(() => stream.lines().some((l) => l.startsWith('data: ') && l.includes(`"id":"${id}","stream":"combined"`)), 'a log event of the combined stream');
      await cli(home, ['down', 'both']);
    } finally {
      stream.close();
    }
  });

  it('kills a task through POST, leaving no process of it', async () => {
    const childFile = join(home, 'child.pid');
    const id = (await cli(home, ['run', '--', `sleep 300 & echo $! > ${childFile}; wait`])).stdout.trim();
    const { pid } = await waitFor(async () => {
      const t = await cliJson(home, ['status', id]);
      return t.status === 'running' ? t : null;
    }, 'the task to run');
    const child = await waitFor(() => Number(readFileSync(childFile, { encoding: 'utf8', flag: 'a+' }).trim()), 'the child pid');
    expect(isRunning(child)).toBe(true);
    const r = await post(`/api/tasks/${id}/kill`);
    expect(r.status, r.body).toBe(200);
    expect(JSON.parse(r.body).tasks[0]).toMatchObject({ id, status: 'killed' });
    expect(isRunning(pid)).toBe(false);
    expect(isRunning(child)).toBe(false);
    expect((await post('/api/tasks/bash_999/kill')).status).toBe(404);
  });

  it('shows an environment as a graph, and takes it down and up again', async () => {
    const file = join(home, 'corral.yaml');
    writeFileSync(file, ['name: web', 'tasks:', '  db:', '    command: sleep 300', '  api:', '    command: sleep 300', '    depends_on: { db: started }', ''].join('\n'));
    await cliJson(home, ['orchestrate', 'web', '-f', file]);
    const { envs } = await getJson('/api/envs');
    expect(envs.find((e: any) => e.name === 'web')).toEqual({ name: 'web', file, tasks: ['db', 'api'], edges: [{ from: 'db', to: 'api', condition: 'started' }] });
    const down = await post('/api/envs/web/down');
    expect(down.status, down.body).toBe(200);
    expect(JSON.parse(down.body).tasks.map((t: any) => t.status)).toEqual(['killed', 'killed']);
    const up = await post('/api/envs/web/up');
    expect(up.status, up.body).toBe(200);
    await waitFor(async () => (await cliJson<any[]>(home, ['ls', '--env', 'web'])).every((t) => t.status === 'running'), 'the environment to be up again');
    expect((await post('/api/envs/nope/up')).status).toBe(404);
    await cli(home, ['down', 'web']);
  });
});

/** An event stream, its lines so far, and a way to end it. */
function openEvents(headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; lines: () => string[]; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { Host: `127.0.0.1:${port}`, Cookie: `corral_token=${token}`, ...headers } }, (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('error', () => {});
      resolve({ status: res.statusCode!, headers: res.headers, lines: () => text.split('\n'), close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}
