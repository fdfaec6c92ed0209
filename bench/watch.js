/**
 * Watch and restart: (A) the daemon's idle CPU and RSS with 100 tasks (`sleep 600`) all
 * watching one tree of 10,000 files (100 folders of 100), against the same 100 tasks
 * unwatched, each in a fresh daemon (the two brought up at once), the two daemons over the same 8 s of idle (4 sampler
 * ticks: the figure is a difference of two daemons sampling the same 100 tasks, so the
 * sampler's own cost cancels) from 4 s after the last watcher is ready (all of the tree's
 * inotify watches added); the
 * inotify watches the daemon holds, for context; and 100 tasks watching against 1 of them
 * (the unwatched daemon after its window, one task replaced by one that watches, over an 8 s
 * window of its own), to show that the watcher is shared. (B) change → restart latency, in a
 * daemon of its own brought up during that last window (one task per debounce, each watching
 * a tree of its own of the same shape; the writes begin once that window is over and the
 * daemon holds all of both trees' watches): one watched
 * task notes the time it starts; a file of its tree is written, and the note of the next
 * start is compared with the write, 6 times, at the default debounce (300 ms) and at 0;
 * the baseline is a `restart` RPC of the same task (stop and start, no watch involved). The
 * same writes are also timed to the restart's first step in the daemon's journal (the stop
 * of the run it replaces): the debounce and the hearing of the change, without the time a
 * loaded machine takes to stop and start processes.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { idleCpuOver, median, memoryOf, now, openDaemon, phaseClock, round, sleep } from './lib.js';

const IDLE_MS = 8_000;
/** Writes (and `restart` RPCs) per debounce: their medians moved by a few ms between 6 and 10. */
const LATENCY_REPS = 6;
/** The debounces the latency is measured at: the default, and none. */
const LATENCY_DEBOUNCES = [300, 0];
/** Folders, files and the root of the tree `makeTree` makes: the inotify watches chokidar holds for it. */
const TREE_ENTRIES = 100 + 100 * 100 + 1;
const MB = (bytes) => round(bytes / 1e6, 1);

const newTreeRoot = () => mkdtempSync('/tmp/cb-watch-tree-');

function makeTree() {
  const root = newTreeRoot();
  for (let d = 0; d < 100; d++) {
    const dir = join(root, `dir-${d}`);
    mkdirSync(dir);
    for (let f = 0; f < 100; f++) writeFileSync(join(dir, `file-${f}.js`), `// ${d}/${f}\n`);
  }
  return root;
}

/** `makeTree`'s files in `root`, without blocking (made while a window of another daemon runs). */
async function fillTree(root) {
  for (let d = 0; d < 100; d++) {
    const dir = join(root, `dir-${d}`);
    await mkdir(dir);
    await Promise.all(Array.from({ length: 100 }, (_, f) => writeFile(join(dir, `file-${f}.js`), `// ${d}/${f}\n`)));
  }
}

/** inotify watches the process holds, from the fdinfo of its inotify descriptors. */
function inotifyWatches(pid) {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      count += (readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1').match(/^inotify wd:/gm) ?? []).length;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

class NoWatches extends Error {}

/**
 * `count` idle tasks more in `daemon`, the first `watching` of them watching the tree; returns
 * once every one runs and chokidar holds all of the tree's watches.
 */
async function runTasks(daemon, tree, count, watching, notes, { retry }) {
  const { rpc, pid } = daemon;
  const views = [];
  for (let i = 0; i < count; i++) views.push(await rpc.call('run', { command: 'sleep 600', cwd: tree, ...(i < watching ? { watch: ['.'] } : {}) }));
  for (const [i, v] of views.entries()) {
    const watched = i < watching;
    for (let t0 = now(); ; await sleep(50)) {
      const d = await rpc.call('describe', { ref: v.id });
      if (d.status === 'running' && (!watched || d.watch?.watching)) break;
      if (now() - t0 > 120_000) throw new Error(`${v.id} did not get ready`);
    }
  }
  if (watching > 0) await allWatches(pid, TREE_ENTRIES, `${watching} watching`, notes, { retry });
  return { ids: views.map((v) => v.id), readyAt: now() };
}

/**
 * "watching" is said once the watcher is asked for; chokidar adds its watches (every folder
 * and file of the tree) after, for seconds on a loaded machine: waits until the daemon holds
 * `expected` of them, or until their count has not grown for 3 s (a loaded run once stopped
 * at 9,654).
 */
async function allWatches(pid, expected, label, notes, { retry }) {
  let last = -1;
  let stableSince = now();
  for (const t0 = now(); ; await sleep(250)) {
    const count = inotifyWatches(pid);
    if (count !== last) (last = count), (stableSince = now());
    if (count >= expected || (count > 0 && now() - stableSince >= 3000)) break;
    // Not one watch 20 s after every task said it watches: this daemon's watcher never
    // started (every time with a third daemon of 100 tasks beside two others, the
    // machine's inotify instances then all in use; no error is logged); the caller tries
    // a fresh daemon once rather than wait longer, then measures what there is.
    if (count === 0 && now() - t0 > 20_000) {
      if (retry) throw new NoWatches(`${label}: no inotify watch 20 s after every task said it watches`);
      break;
    }
    if (now() - t0 > 120_000) break;
  }
  if (last < expected) notes.push(`${label}: measured with ${last} inotify watches, not ${expected} (their count had stopped growing)`);
}

/** A fresh daemon (left running) with 100 idle tasks, the first `watching` watching the tree; tried twice if its watcher never starts. */
async function readyDaemon(tree, watching, notes) {
  for (const retry of [true, false]) {
    const daemon = await openDaemon(`watch-${watching}`, notes);
    try {
      return { ...daemon, ...(await runTasks(daemon, tree, 100, watching, notes, { retry })) };
    } catch (error) {
      daemon.close();
      if (!(error instanceof NoWatches)) throw error;
      notes.push(`${error.message}; measured in a second fresh daemon`);
    }
  }
  throw new Error('unreachable');
}

/** The daemons' idle cost over the same 8 s, from 4 s after `readyAt` (the first seconds after starts still cost). */
async function idleWindow(daemons, readyAt) {
  await sleep(Math.max(0, 4000 - (now() - readyAt)));
  const windows = await Promise.all(daemons.map(({ pid }) => idleCpuOver(pid, IDLE_MS)));
  return daemons.map(({ pid }, i) => ({ rss: memoryOf(pid).rss, cpuPercent: windows[i].percent, inotify: inotifyWatches(pid) }));
}

/**
 * The idle cost of 100 tasks unwatched, all 100 watching the tree, and 1 of them watching it.
 * The first two in two fresh daemons, brought up at once and measured over the same
 * 8 s window: idle daemons barely load each other, and one window puts the same neighbours
 * in both figures (a third daemon of 100 tasks beside them got no inotify watch at all). Then
 * the unwatched daemon again, one of its tasks replaced by one that watches the tree, over
 * an 8 s window of its own: 100 tasks, 1 of them watching, without starting 100 more.
 */
async function idleCosts(tree, notes, phase, beside) {
  const daemons = [];
  let besideResult;
  try {
    // The two daemons brought up at once: the window begins 4 s after the later is ready.
    const ready = await Promise.allSettled([0, 100].map((watching) => readyDaemon(tree, watching, notes)));
    for (const r of ready) if (r.status === 'fulfilled') daemons.push(r.value);
    const failed = ready.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [off, on] = await idleWindow(daemons, Math.max(...daemons.map((d) => d.readyAt)));
    phase('unwatched and 100 watching, brought up at once, one idle window');
    daemons[1].close();
    // `beside` (the latency's daemon coming up, on trees of its own) runs through the 1-watching
    // figures: they are this daemon's RSS (the ratio) and its own CPU time (a note).
    besideResult = beside();
    besideResult.catch(() => {}); // awaited below
    const unwatched = daemons[0];
    await unwatched.rpc.call('kill', { refs: [unwatched.ids[0]] });
    await unwatched.rpc.call('remove', { refs: [unwatched.ids[0]] });
    const { readyAt } = await runTasks(unwatched, tree, 1, 1, notes, { retry: false });
    const [one] = await idleWindow([unwatched], readyAt);
    phase('1 watching (the unwatched daemon, one task replaced; the latency daemon coming up beside it)');
    return [off, one, on, await besideResult];
  } catch (error) {
    besideResult?.then((d) => d.close(), () => {});
    throw error;
  } finally {
    for (const d of daemons) d.close();
  }
}

/**
 * The latency's daemon, brought up beside the 1-watching window: one env-file task per
 * debounce (its watch has a debounce of its own), each watching a tree of its own, so that a
 * write restarts one task only; returned once both run and the daemon holds both trees'
 * inotify watches (writes made while chokidar still adds them would time its scan as well).
 */
async function latencySetup(trees, notes) {
  await Promise.all(trees.map(fillTree));
  const daemon = await openDaemon('watch-latency', notes);
  try {
    const envs = {};
    for (const [i, debounce] of LATENCY_DEBOUNCES.entries()) {
      const tree = trees[i];
      const starts = join(tree, '..', `${tree.split('/').pop()}-starts`);
      const file = join(tree, '..', `${tree.split('/').pop()}-${debounce}.yaml`);
      writeFileSync(file, `tasks:\n  app:\n    command: 'date +%s%3N >> ${starts}; exec sleep 600'\n    watch: { paths: ['${tree}'], debounce: ${debounce}ms }\n`);
      const { tasks } = await daemon.rpc.call('orchestrate', { file, name: `lat${debounce}` });
      envs[debounce] = { tree, starts, id: tasks[0].id };
    }
    for (const { id, starts } of Object.values(envs)) {
      for (let t0 = now(); !(await daemon.rpc.call('describe', { ref: id })).watch?.watching; await sleep(50)) if (now() - t0 > 60_000) throw new Error('not watching');
      await nextStart(starts, 0);
    }
    await allWatches(daemon.pid, LATENCY_DEBOUNCES.length * TREE_ENTRIES, 'the latency daemon', notes, { retry: false });
    return { ...daemon, envs };
  } catch (error) {
    daemon.close();
    throw error;
  }
}

const startsOf = (starts) => {
  try {
    return readFileSync(starts, 'utf8').trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/** The time the task noted at its start number `count` (0 the first), once it is there. */
async function nextStart(starts, count) {
  for (let t0 = now(); startsOf(starts).length <= count; await sleep(5)) if (now() - t0 > 30_000) throw new Error('no restart');
  return startsOf(starts)[count];
}

/** The writes and `restart` RPCs of each debounce in turn, in the daemon `latencySetup` made. */
async function latency({ rpc, envs }) {
  const rows = {};
  for (const debounce of LATENCY_DEBOUNCES) {
    // (The 300 ms one is measured with the 0 ms one's task idle beside it; the 0 ms one alone.)
    const { tree, starts, id } = envs[debounce];
    const samples = [];
    const decided = [];
    let seq = (await rpc.call('events', { since: 0, timeoutMs: 0, ids: [id] })).last;
    for (let i = 0; i < LATENCY_REPS; i++) {
      const count = startsOf(starts).length;
      const at = Date.now();
      writeFileSync(join(tree, `dir-${i}`, 'file-0.js'), `// edit ${i}\n`);
      samples.push((await nextStart(starts, count)) - at);
      // The restart as the daemon decided it: its first step, the stop of the run it replaces, in the journal.
      const batch = await rpc.call('events', { since: seq, timeoutMs: 0, ids: [id] });
      seq = batch.last;
      const stop = batch.events.find((e) => e.type === 'state' && e.status === 'stopping');
      if (stop) decided.push(Date.parse(stop.at) - at);
      await sleep(debounce + 200);
    }
    const manual = [];
    for (let i = 0; i < LATENCY_REPS; i++) {
      const count = startsOf(starts).length;
      const at = Date.now();
      await rpc.call('restart', { ref: id });
      manual.push((await nextStart(starts, count)) - at);
    }
    await rpc.call('down', { env: `lat${debounce}` });
    rows[debounce] = { samples, manual, decided };
  }
  return rows;
}

export default {
  name: 'watch',
  title: 'Watch and restart: idle cost of 100 watchers over one tree, change → restart latency',
  async run() {
    const rows = [];
    const notes = [];
    const clock = phaseClock();
    const phase = (name) => clock.mark(name);
    const tree = makeTree();
    // The latency's trees, the same shape: one per debounce, so that a write restarts one task.
    const latencyTrees = LATENCY_DEBOUNCES.map(newTreeRoot); // filled by latencySetup
    phase('tree');
    let latencyDaemon;
    try {
      const [off, one, on, latencyReady] = await idleCosts(tree, notes, phase, () => latencySetup(latencyTrees, notes));
      latencyDaemon = latencyReady;
      phase('the latency daemon up, after the 1-watching window');
      rows.push({
        measure: 'daemon RSS, 100 idle tasks watching one 10,000-file tree',
        baseline: `${MB(off.rss)} MB (the same tasks unwatched)`,
        corral: `${MB(on.rss)} MB`,
        ratio: round(on.rss / off.rss, 2),
        ratioMeaning: 'watched / unwatched',
        target: '—',
      });
      rows.push({
        measure: `daemon CPU over ${IDLE_MS / 1000} s idle, same tasks`,
        baseline: `${round(off.cpuPercent, 2)} % (unwatched)`,
        corral: `${round(on.cpuPercent, 2)} %`,
        ratio: round(on.cpuPercent - off.cpuPercent, 2),
        ratioMeaning: 'watched − unwatched, % of one core',
        target: '—',
      });
      rows.push({
        measure: 'daemon RSS, 100 idle tasks: all 100 watching the tree against 1 of them watching it',
        baseline: `${MB(one.rss)} MB (1 task watching)`,
        corral: `${MB(on.rss)} MB`,
        ratio: round(on.rss / one.rss, 2),
        ratioMeaning: '100 watching / 1 watching: the watcher is shared',
        target: '≤ 1.1',
        met: on.rss / one.rss <= 1.1,
      });
      notes.push(
        `inotify watches held by the daemon: ${on.inotify} with 100 tasks watching, ${one.inotify} with 1, ${off.inotify} with none ` +
          `(chokidar watches every folder and file of the tree once, whatever the number of tasks); idle CPU with 1 watching: ${round(one.cpuPercent, 2)} %`,
      );
      const lat = await latency(latencyDaemon);
      phase('latency');
      notes.push(String(clock));
      for (const debounce of LATENCY_DEBOUNCES) {
        const { samples, manual, decided } = lat[debounce];
        const m = median(samples);
        const r = median(manual);
        rows.push({
          measure: `change → restarted (next start noted by the task), debounce ${debounce} ms, median of ${samples.length}`,
          baseline: `${round(r, 0)} ms (\`restart\` RPC → next start)`,
          corral: `${round(m, 0)} ms`,
          ratio: round((m - debounce) / r, 2),
          ratioMeaning: '(latency − debounce) / restart RPC',
          target: debounce === 300 ? '≤ 500 ms absolute' : '—',
          ...(debounce === 300 ? { met: m <= 500 } : {}),
        });
        rows.push({
          measure: `change → the restart's stop in the journal (the debounce and the daemon hearing of the change, no process start), debounce ${debounce} ms, median of ${decided.length}`,
          baseline: `${debounce} ms (the debounce)`,
          corral: `${round(median(decided), 0)} ms`,
          ratio: round(median(decided) - debounce, 0),
          ratioMeaning: 'ms over the debounce',
          target: '≤ 200 ms over the debounce',
          met: median(decided) - debounce <= 200,
        });
        notes.push(`debounce ${debounce} ms: latencies ${samples.join(', ')} ms; to the journal's stop ${decided.join(', ')} ms; restart RPC ${manual.join(', ')} ms`);
      }
    } finally {
      latencyDaemon?.close();
      for (const t of [tree, ...latencyTrees]) {
        rmSync(t, { recursive: true, force: true });
        for (const f of readdirSync('/tmp').filter((n) => n.startsWith(t.split('/').pop()))) rmSync(join('/tmp', f), { force: true });
      }
    }
    return { rows, notes };
  },
};
