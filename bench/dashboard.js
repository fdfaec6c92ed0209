/**
 * The dashboard's cost to the daemon:
 * 1. what serving costs: an idle daemon (no task) that never served the dashboard, then the
 *    same daemon after `corral dashboard`, one page of /api/tasks and one of /, idle again;
 *    medians of 3 daemons (started together, idle together). The dashboard's code must not load until asked for, so the
 *    never-served daemon is the one to compare with, in the same run;
 * 2. a busy environment (3 tasks printing ~4,000 lines a second each) with three SSE clients
 *    on /api/events vs the same environment with none: the daemon's CPU over 6 s and RSS;
 * 3. the time to the first full render of the page in Debian's chromium (every task's row
 *    shown) with 100 running tasks, against the same with 1 task, alternately (the browser
 *    and the two daemons brought up at once, before anything is timed).
 * With CORRAL_BASELINE_ROOT (a built checkout) or CORRAL_BASELINE_REV (a revision, exported
 * with git archive into /tmp and built there with this tree's node_modules), the idle daemon
 * of that tree is also started (its 3 daemons just before this tree's 3): the same idle RSS, compared
 * across trees. Not in the default run: building a tree takes a minute of the suite.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { CLI, ROOT, cpuMsOf, envFor, isAlive, makeHome, memoryOf, cleanupHome, corral, phaseClock, round, sleep } from './lib.js';

const execFileAsync = promisify(execFile);
const MB = (bytes) => round(bytes / 1e6, 1);
const REPS = 3;
/** First renders of each page, alternating (5 until the suite had to fit in 5 minutes). */
const RENDER_REPS = 3;
/** The busy windows: the daemon works tens of % of a core there, 6 s is plenty. */
const BUSY_MS = 6_000;

/** A built copy of the baseline revision: its CLI path, and how to remove it. */
function baselineTree() {
  if (!process.env.CORRAL_BASELINE_ROOT && !process.env.CORRAL_BASELINE_REV) return null;
  if (process.env.CORRAL_BASELINE_ROOT) return { cli: join(process.env.CORRAL_BASELINE_ROOT, 'dist/src/cli/main.js'), remove: () => {} };
  const rev = process.env.CORRAL_BASELINE_REV;
  const dir = mkdtempSync('/tmp/cb-bench-base-');
  const sh = (cmd) => {
    const r = spawnSync('sh', ['-c', cmd], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  };
  sh(`git -C ${JSON.stringify(ROOT)} archive ${rev} | tar -x`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  sh('node node_modules/typescript/bin/tsc -p . && sh scripts/build-spawner.sh');
  return { cli: join(dir, 'dist/src/cli/main.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `count` daemons of `cli`, each in a fresh home, started at once and idle for 2 s: their RSS,
 * then `fn` with each (all at once), then cleaned. Idle daemons of no task do not move each
 * other's RSS; starting them together saves a 2 s wait per daemon.
 */
async function withIdleDaemons(cli, tag, count, notes, fn = async () => ({})) {
  const homes = Array.from({ length: count }, (_, i) => makeHome(`${tag}-${i}`));
  try {
    const pids = homes.map((home) => {
      const r = spawnSync(process.execPath, [cli, 'daemon', 'start', '--json'], { env: envFor(home), encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`daemon start: ${r.stderr}`);
      return JSON.parse(r.stdout).pid;
    });
    await sleep(2000);
    const rss = pids.map((pid) => memoryOf(pid).rss);
    const more = await Promise.all(homes.map((home, i) => fn({ home, pid: pids[i] })));
    return more.map((m, i) => ({ rss: rss[i], ...m }));
  } finally {
    for (const home of homes) notes.push(...cleanupHome(home));
  }
}

function get(port, token, path) {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { Cookie: `corral_token=${token}` } }, (res) => {
      let n = 0;
      res.on('data', (c) => (n += c.length));
      res.on('end', () => resolve(n));
    })
      .on('error', reject)
      .end();
  });
}

/** An SSE client: counts what it receives until closed. */
function sseClient(port, token) {
  const counts = { bytes: 0, logEvents: 0 };
  const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { Cookie: `corral_token=${token}` } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c) => {
      counts.bytes += c.length;
      counts.logEvents += c.split('event: log\n').length - 1;
    });
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end();
  return { counts, close: () => req.destroy() };
}

/** The daemon's CPU (% of one core) and RSS over `ms`. */
async function usageOver(pid, ms) {
  const cpu0 = cpuMsOf(pid);
  const t0 = performance.now();
  await sleep(ms);
  return { cpu: ((cpuMsOf(pid) - cpu0) / (performance.now() - t0)) * 100, rss: memoryOf(pid).rss };
}

/** Milliseconds from navigation to every one of `count` task rows in the page, in a fresh page each time. */
async function firstRender(browser, url, count) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(url); // sets the cookie; the timed load is the next one
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-id]').length >= n, count, { timeout: 60_000 });
    const t0 = performance.now();
    await page.goto(new URL(url).origin + '/');
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-id]').length >= n, count, { timeout: 60_000 });
    return performance.now() - t0;
  } finally {
    await context.close();
  }
}

/** `corral ARGS` with CORRAL_HOME=home, without blocking: several homes are brought up at once. */
async function corralAsync(home, args) {
  try {
    return await execFileAsync(process.execPath, [CLI, ...args], { env: envFor(home), encoding: 'utf8', timeout: 180_000, maxBuffer: 64 << 20 });
  } catch (error) {
    throw new Error(`corral ${args.join(' ')} exited ${error.code ?? error.signal}: ${(error.stderr || '').trim()}`);
  }
}

/** A daemon in `home` with `count` running `sleep` tasks of one environment: its dashboard's URL. */
async function dashboardWithTasks(home, count) {
  const file = join(home, 'many.yaml');
  writeFileSync(file, `name: many\ntasks:\n${Array.from({ length: count }, (_, i) => `  t${i}:\n    command: sleep 600\n`).join('')}`);
  await corralAsync(home, ['orchestrate', 'many', '-f', file, '--wait-healthy', '--timeout', '120s']);
  return JSON.parse((await corralAsync(home, ['dashboard', '--json'])).stdout).url;
}

const loadavg = () => spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ');

/**
 * The first render's browser and its two daemons (1 and 100 running tasks), brought up at
 * once: `ready` settles when all three are up (or one failed); `close()` closes the browser
 * and cleans both homes, into `notes`. Null without chromium.
 */
async function renderSide(notes) {
  if (!existsSync('/usr/bin/chromium')) return null;
  const { chromium } = await import('playwright-core');
  const homes = { 1: makeHome('dash-render-1'), 100: makeHome('dash-render-100') };
  const settled = Promise.allSettled([
    chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] }),
    dashboardWithTasks(homes[1], 1),
    dashboardWithTasks(homes[100], 100),
  ]);
  const ready = settled.then(([browser, one, hundred]) => {
    for (const r of [browser, one, hundred]) if (r.status === 'rejected') throw r.reason;
    return { browser: browser.value, urls: { 1: one.value, 100: hundred.value } };
  });
  ready.catch(() => {}); // awaited by the caller; not an unhandled rejection meanwhile
  const close = async () => {
    const [browser] = await settled;
    await browser.value?.close();
    notes.push(...cleanupHome(homes[1]), ...cleanupHome(homes[100]));
  };
  return { ready, close };
}

export default {
  name: 'dashboard',
  title: 'The dashboard: idle daemon memory, serving, and three SSE clients on a busy environment',
  async run() {
    const rows = [];
    const notes = [];
    const raw = { loadBefore: loadavg() };
    const clock = phaseClock();
    const base = baselineTree();
    if (base) clock.mark('baseline build');
    let render = null;
    try {
      // 1: the baseline tree's daemons (if any), then this tree's, each set started together.
      const ours = [];
      const theirs = [];
      const served = [];
      if (base) theirs.push(...(await withIdleDaemons(base.cli, 'dash-base', REPS, notes)).map((r) => r.rss));
      for (const r of await withIdleDaemons(CLI, 'dash', REPS, notes, async ({ home, pid }) => {
        const { port, url } = JSON.parse(corral(home, ['dashboard', '--json']).stdout);
        const token = new URL(url).searchParams.get('token');
        await get(port, token, '/api/tasks');
        await get(port, token, '/');
        await sleep(2000);
        return { servedRss: memoryOf(pid).rss };
      })) {
        ours.push(r.rss);
        served.push(r.servedRss);
      }
      const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
      raw.idleBaselineBytes = theirs;
      raw.idleBytes = ours;
      raw.servedBytes = served;
      rows.push({
        measure: `daemon VmRSS, no task: after \`corral dashboard\`, one /api/tasks and one /, then idle 2 s (median of ${REPS} daemons)`,
        baseline: `${MB(med(ours))} MB (the same daemon before, idle 2 s, the dashboard never asked for)`,
        corral: `${MB(med(served))} MB`,
        ratio: round(med(served) / med(ours), 3),
        ratioMeaning: 'served / never served',
        target: 'noted only',
      });
      if (base) {
        rows.push({
          measure: `daemon VmRSS, no task, idle 2 s, dashboard never asked for (median of ${REPS})`,
          baseline: `${MB(med(theirs))} MB (${process.env.CORRAL_BASELINE_REV ?? process.env.CORRAL_BASELINE_ROOT})`,
          corral: `${MB(med(ours))} MB`,
          ratio: round(med(ours) / med(theirs), 3),
          target: '≤ 1.02',
          met: med(ours) / med(theirs) <= 1.02,
        });
      }

      clock.mark('idle daemons');
      // 2: a busy environment, without and then with three SSE clients.
      const home = makeHome('dash-busy');
      const clients = [];
      try {
        const file = join(home, 'busy.yaml');
        const printer = `sh -c 'i=0; while :; do seq $i $((i+199)); i=$((i+200)); sleep 0.05; done'`;
        writeFileSync(file, `name: busy\ntasks:\n${['a', 'b', 'c'].map((n) => `  ${n}:\n    command: ${JSON.stringify(printer)}\n`).join('')}`);
        const { pid } = JSON.parse(corral(home, ['daemon', 'start', '--json']).stdout);
        corral(home, ['orchestrate', 'busy', '-f', file, '--wait-healthy', '--timeout', '60s']);
        const { port, url } = JSON.parse(corral(home, ['dashboard', '--json']).stdout);
        const token = new URL(url).searchParams.get('token');
        await sleep(2000);
        const without = await usageOver(pid, BUSY_MS);
        for (let i = 0; i < 3; i++) clients.push(sseClient(port, token));
        await sleep(1000);
        const withClients = await usageOver(pid, BUSY_MS);
        const logEvents = clients.map((c) => c.counts.logEvents);
        raw.busy = { without, withClients, logEvents, alive: isAlive(pid) };
        rows.push({
          measure: `daemon CPU over ${BUSY_MS / 1000} s, 3 tasks printing ~4,000 lines/s each; 3 SSE clients on /api/events vs none`,
          baseline: `${round(without.cpu, 1)} % (no client)`,
          corral: `${round(withClients.cpu, 1)} %`,
          ratio: round(withClients.cpu / Math.max(without.cpu, 0.1), 2),
          target: 'noted only',
        });
        rows.push({
          measure: `daemon VmRSS at the end of the same ${BUSY_MS / 1000} s`,
          baseline: `${MB(without.rss)} MB (no client)`,
          corral: `${MB(withClients.rss)} MB`,
          ratio: round(withClients.rss / without.rss, 3),
          target: 'noted only',
        });
        notes.push(`log events each client received in ~${BUSY_MS / 1000 + 1} s: ${logEvents.join(', ')} (the logs are looked at 5 times a second, one event per grown log: at most 3 tasks × 5 × ${BUSY_MS / 1000 + 1} s = ${15 * (BUSY_MS / 1000 + 1)} here)`);
      } finally {
        for (const c of clients) c.close();
        notes.push(...cleanupHome(home));
      }

      clock.mark('busy environment');
      // 3: first full render, 1 task and 100, alternately.
      render = await renderSide(notes);
      const rendering = render && (await render.ready);
      clock.mark('the browser and the 1- and 100-task daemons up, at once');
      if (rendering) {
        const { browser, urls } = rendering;
        const times = { 1: [], 100: [] };
        for (let i = 0; i < RENDER_REPS; i++) {
          times[1].push(await firstRender(browser, urls[1], 1));
          times[100].push(await firstRender(browser, urls[100], 100));
        }
        raw.firstRenderMs = times;
        rows.push({
          measure: `first full render in chromium (navigation → every task's row shown), 100 running tasks (median of ${RENDER_REPS}, alternating)`,
          baseline: `${round(med(times[1]), 0)} ms (1 task)`,
          corral: `${round(med(times[100]), 0)} ms`,
          ratio: round(med(times[100]) / med(times[1]), 2),
          target: 'noted only',
        });
      } else notes.push('first render: skipped, /usr/bin/chromium is not installed (scripts/test-tools.sh installs it)');
    } finally {
      await render?.close();
      base?.remove();
    }
    clock.mark('first render');
    notes.push(String(clock));
    raw.loadAfter = loadavg();
    notes.push(`load average before ${raw.loadBefore}, after ${raw.loadAfter}`);
    return { rows, notes, raw };
  },
};
