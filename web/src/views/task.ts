/**
 * A task's page: its facts, CPU and memory charts, its log read in windows, its definition.
 * The log opens at its end at once whatever its size (one window of the last 64 KB), goes
 * back a window at a time (`before=`), goes on when the event stream says the log grew, and
 * opens at a byte offset for a link of the form `#/task/ID?offset=N`.
 */
import { killTask, restartTask } from '../actions.js';
import { api, type Details } from '../api.js';
import { clear, h } from '../dom.js';
import { parseAnsi, plainState } from '../lib/ansi.js';
import { formatBytes, formatPercent, lastExit, uptime } from '../lib/format.js';
import type { KeyAction } from '../lib/keys.js';
import { marksOf } from '../lib/marks.js';
import { append, fromWindow, hasNewer, hasOlder, prepend, type LogView } from '../lib/logwindow.js';
import { taskHref, type Route } from '../lib/route.js';
import { label } from '../lib/tasks.js';
import type { Task } from '../lib/types.js';
import { onLogGrowth, onSamples } from '../live.js';
import { state, subscribe } from '../state.js';
import { toast } from '../ui.js';
import { chart, type Chart } from './chart.js';
import type { View } from './view.js';

const MAX_LINES = 5000;
const WINDOW_BYTES = 65536;
/** Samples the charts keep: as many as the daemon keeps of a task (its sampler's history). */
const KEPT_SAMPLES = 60;

export function taskView(route: Extract<Route, { view: 'task' }>): View {
  const id = route.id;
  let details: Details | null = null;
  let streams: string[] = ['stdout', 'stderr'];
  let stream = route.stream ?? 'stdout';
  let filter = '';
  let log: LogView | null = null;
  let following = route.offset === null;
  let busy = false;
  let pendingNewer = false;
  let lastTaskJson = '';
  let charts: Chart[] = [];

  const head = h('div', { class: 'task-head' });
  const facts = h('div', { class: 'facts' });
  const chartBox = h('div', { class: 'charts' });
  const tabs = h('span', { class: 'tabs' });
  const range = h('span', { class: 'range' });
  const filterInput = h('input', { type: 'search', class: 'log-filter', placeholder: 'Filter the log (regex)', 'aria-label': 'Filter the log' });
  const logEl = h('div', { class: 'log', tabindex: 0, 'data-stream': stream });
  const definition = h('details', { class: 'definition' }, h('summary', {}, 'Definition'), h('pre', {}));
  const el = h(
    'section',
    { class: 'task-page', 'data-id': id },
    head,
    facts,
    chartBox,
    h('div', { class: 'log-bar' }, tabs, filterInput, range),
    logEl,
    definition,
  );

  let filterTimer: ReturnType<typeof setTimeout> | null = null;
  filterInput.addEventListener('input', () => {
    if (filterTimer) clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      filter = filterInput.value;
      following = true;
      void openLog(null);
    }, 250);
  });
  logEl.addEventListener('scroll', () => {
    if (logEl.scrollTop < 40 && log && hasOlder(log)) void older();
    following = log !== null && !hasNewer(log) && atBottom();
  });

  const atBottom = () => logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 30;

  function task(): Task | undefined {
    return state.tasks.find((t) => t.id === id || t.name === id);
  }

  async function loadDetails(): Promise<void> {
    try {
      details = await api.details(id);
    } catch (error) {
      clear(head);
      head.append(h('h1', {}, id), h('span', { class: 'meta' }, (error as Error).message));
      return;
    }
    const combined = details.definition?.output === 'combined';
    streams = combined ? ['combined'] : ['stdout', 'stderr'];
    if (!streams.includes(stream)) stream = streams[0]!;
    drawFacts();
    drawCharts();
    definition.querySelector('pre')!.textContent = JSON.stringify(details.definition, null, 2);
  }

  function drawFacts(): void {
    const t = task() ?? details;
    if (!t) return;
    clear(head);
    head.append(
      h('h1', {}, label(t)),
      h('span', { class: `status status-${t.status}` }, t.status),
      t.health ? h('span', { class: `health health-${t.health}` }, t.health) : '',
      h('span', { class: 'meta mono' }, t.id),
      h(
        'span',
        { class: 'buttons' },
        h('button', { type: 'button', class: 'restart', onclick: () => void restartTask(t) }, 'restart'),
        h('button', { type: 'button', class: 'kill danger', onclick: () => void killTask(t) }, 'kill'),
      ),
    );
    clear(facts);
    const ports = t.ports ?? details?.ports ?? [];
    const fact = (name: string, value: string) => h('div', { 'data-fact': name }, h('span', {}, name), value);
    facts.append(
      fact('pid', t.pid === null ? '–' : String(t.pid)),
      fact('uptime', uptime(t.startedAt, t.endedAt, Date.now())),
      fact('restarts', String(t.restarts)),
      fact('cpu', formatPercent(t.cpuPercent)),
      fact('memory', formatBytes(t.memoryBytes)),
      fact('ports', ports.join(' ') || '–'),
      fact('last exit', lastExit(t)),
      fact('command', t.command),
    );
  }

  function drawCharts(): void {
    for (const c of charts) c.destroy();
    clear(chartBox);
    if (!details) return;
    const samples = details.samples ?? [];
    const marks = marksOf(details.events ?? []);
    const xs = samples.map((p) => p.t / 1000);
    charts = [
      chart(chartBox, 'CPU %', xs, samples.map((p) => p.cpu), marks, (v) => formatPercent(v)),
      chart(chartBox, 'Memory', xs, samples.map((p) => p.rss), marks, (v) => formatBytes(v)),
    ];
  }

  // A sampler tick: the figures change in place, and the charts draw one sample more.
  const offSamples = onSamples(({ t, tasks }) => {
    const own = details?.id ?? id;
    const sample = Object.hasOwn(tasks, own) ? tasks[own] : undefined;
    if (!sample || !details) return;
    const current = task();
    if (current?.status !== 'running') return;
    setFact('cpu', formatPercent(current.cpuPercent));
    setFact('memory', formatBytes(current.memoryBytes));
    const samples = [...(details.samples ?? []), { t, cpu: sample.cpu, rss: sample.rss }].slice(-KEPT_SAMPLES);
    details = { ...details, samples };
    const xs = samples.map((p) => p.t / 1000);
    const [cpu, memory] = charts;
    const drawn = cpu?.update(xs, samples.map((p) => p.cpu)) && memory?.update(xs, samples.map((p) => p.rss));
    if (!drawn) drawCharts();
  });

  function setFact(name: string, value: string): void {
    const cell = facts.querySelector(`[data-fact="${name}"]`);
    if (cell?.lastChild) cell.lastChild.textContent = value;
  }

  function drawTabs(): void {
    clear(tabs);
    for (const name of streams)
      tabs.append(
        h(
          'button',
          {
            type: 'button',
            'aria-pressed': String(name === stream),
            onclick: () => {
              stream = name;
              following = true;
              drawTabs();
              void openLog(null);
            },
          },
          name,
        ),
      );
  }

  function drawLog(scroll: 'bottom' | 'target' | { keepFrom: number } | null): void {
    clear(logEl);
    logEl.dataset.stream = stream;
    if (!log) return;
    if (hasOlder(log)) logEl.append(h('button', { type: 'button', class: 'more older', onclick: () => void older() }, `older (${formatBytes(log.start - log.kept)} before)`));
    else if (log.kept > 0) logEl.append(h('div', { class: 'note' }, `the log's first ${formatBytes(log.kept)} were released (capped log)`));
    let ansi = plainState;
    const frag = document.createDocumentFragment();
    for (const line of log.lines) {
      const parsed = parseAnsi(line.text, ansi);
      ansi = parsed.state;
      const text = h('span', { class: 'text' });
      for (const seg of parsed.segments) text.append(seg.cls ? h('span', { class: seg.cls }, seg.text) : document.createTextNode(seg.text));
      const href = taskHref(id, { offset: line.offset, stream });
      frag.append(
        h(
          'div',
          { class: `line${route.offset !== null && line.offset === route.offset ? ' target' : ''}`, 'data-offset': line.offset },
          h('a', { class: 'gutter', href, title: 'Link to this line' }, String(line.offset)),
          text,
        ),
      );
    }
    if (log.lines.length === 0) frag.append(h('div', { class: 'note' }, filter ? 'no line matches in this window' : 'no output yet'));
    logEl.append(frag);
    if (hasNewer(log)) logEl.append(h('button', { type: 'button', class: 'more newer', onclick: () => void newer() }, `newer (${formatBytes(log.size - log.end)} after)`));
    range.textContent = `bytes ${log.start}–${log.end} of ${log.size}`;
    if (scroll === 'bottom') logEl.scrollTop = logEl.scrollHeight;
    else if (scroll === 'target') logEl.querySelector('.line.target')?.scrollIntoView({ block: 'start' });
    else if (scroll) logEl.scrollTop = logEl.scrollHeight - scroll.keepFrom;
  }

  /** Reads a window afresh: the end of the log, or the one starting at `offset`. */
  async function openLog(offset: number | null): Promise<void> {
    busy = true;
    try {
      const win = await api.log(id, { stream, ...(offset === null ? {} : { offset }), max: WINDOW_BYTES, filter });
      log = fromWindow(win);
      drawLog(offset === null ? 'bottom' : 'target');
    } catch (error) {
      clear(logEl);
      logEl.append(h('div', { class: 'note' }, (error as Error).message));
    } finally {
      busy = false;
    }
    if (pendingNewer) void newer();
  }

  async function older(): Promise<void> {
    if (!log || busy || !hasOlder(log)) return;
    busy = true;
    try {
      const fromBottom = logEl.scrollHeight - logEl.scrollTop;
      const win = await api.log(id, { stream, before: log.start, max: WINDOW_BYTES, filter });
      log = prepend(log, win, MAX_LINES);
      drawLog({ keepFrom: fromBottom });
    } catch (error) {
      toast((error as Error).message, true);
    } finally {
      busy = false;
    }
  }

  async function newer(): Promise<void> {
    if (!log) return;
    if (busy) return void (pendingNewer = true);
    pendingNewer = false;
    busy = true;
    try {
      const stick = following || atBottom();
      const win = await api.log(id, { stream, offset: log.end, max: WINDOW_BYTES, filter });
      if (win.end > log.end || win.size !== log.size) {
        log = append(log, win, MAX_LINES);
        drawLog(stick ? 'bottom' : null);
      }
    } catch (error) {
      toast((error as Error).message, true);
    } finally {
      busy = false;
    }
    if (pendingNewer) void newer();
  }

  const offGrowth = onLogGrowth((growth) => {
    if (growth.id !== (details?.id ?? id) || growth.stream !== stream || !log) return;
    if (following) void newer();
    else if (growth.size > log.size) {
      log = { ...log, size: growth.size };
      range.textContent = `bytes ${log.start}–${log.end} of ${log.size}`;
    }
  });

  let detailsTimer: ReturnType<typeof setTimeout> | null = null;
  const offState = subscribe(() => {
    const t = task();
    const json = JSON.stringify(t ?? null);
    if (json === lastTaskJson) return;
    lastTaskJson = json;
    drawFacts();
    // The charts' samples and markers come with the details: asked again after a change.
    if (!detailsTimer)
      detailsTimer = setTimeout(() => {
        detailsTimer = null;
        void loadDetails();
      }, 500);
  });

  const onTheme = () => drawCharts();
  window.addEventListener('corral-theme', onTheme);

  void (async () => {
    await loadDetails();
    drawTabs();
    await openLog(route.offset);
  })();

  return {
    el,
    render: () => {},
    key(action: KeyAction): boolean {
      const t = task();
      if (action === 'kill' && t) void killTask(t);
      else if (action === 'restart' && t) void restartTask(t);
      else if (action === 'stream' && streams.length > 1) {
        stream = streams[(streams.indexOf(stream) + 1) % streams.length]!;
        following = true;
        drawTabs();
        void openLog(null);
      } else if (action === 'filter') filterInput.focus();
      else if (action === 'down') logEl.scrollBy(0, 40);
      else if (action === 'up') logEl.scrollBy(0, -40);
      else if (action === 'first') void older();
      else if (action === 'last') {
        following = true;
        void openLog(null);
      } else return false;
      return true;
    },
    destroy: () => {
      offGrowth();
      offSamples();
      offState();
      if (detailsTimer) clearTimeout(detailsTimer);
      window.removeEventListener('corral-theme', onTheme);
      for (const c of charts) c.destroy();
    },
  };
}
