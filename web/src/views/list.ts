/** The task list: one table per environment, live, filtered and sortable. */
import { envAction, killTask, restartTask } from '../actions.js';
import { clear, h } from '../dom.js';
import { formatBytes, formatPercent, lastExit, uptime } from '../lib/format.js';
import { moveSelection, type KeyAction } from '../lib/keys.js';
import { taskHref } from '../lib/route.js';
import { groupByEnv, label, matchesFilter, nextSort, sortTasks, type SortKey } from '../lib/tasks.js';
import type { Task } from '../lib/types.js';
import { onSamples } from '../live.js';
import { changed, state } from '../state.js';
import type { View } from './view.js';

/** `optional` columns are left out at a phone's width, and so is one with `phone: false`. */
const COLUMNS: { title: string; key?: SortKey; num?: boolean; optional?: boolean; phone?: false }[] = [
  { title: 'task', key: 'name' },
  { title: 'status', key: 'status' },
  { title: 'health', key: 'health' },
  { title: 'pid', key: 'pid', num: true, optional: true },
  { title: 'uptime', key: 'uptime', num: true, phone: false },
  { title: 'restarts', key: 'restarts', num: true, optional: true },
  { title: 'cpu', key: 'cpu', num: true },
  { title: 'memory', key: 'memory', num: true, optional: true },
  { title: 'ports', optional: true },
  { title: 'last exit', optional: true },
  { title: '' },
];

export function listView(): View {
  const el = h('section', { class: 'list' });
  // Uptimes move on by themselves (only their cells are redrawn); the rest changes on events.
  const clock = setInterval(() => {
    const now = Date.now();
    for (const td of el.querySelectorAll<HTMLElement>('td.uptime[data-started]')) td.textContent = uptime(td.dataset.started!, null, now);
  }, 1000);

  // A sampler tick: the figures' cells change in place, unless the rows are sorted by them.
  const offSamples = onSamples((samples) => {
    if (state.sort?.key === 'cpu' || state.sort?.key === 'memory') return render();
    for (const tr of el.querySelectorAll<HTMLElement>('tr[data-id]')) {
      const t = Object.hasOwn(samples.tasks, tr.dataset.id!) ? state.tasks.find((x) => x.id === tr.dataset.id) : undefined;
      if (!t) continue;
      tr.querySelector('td.cpu')!.textContent = formatPercent(t.cpuPercent);
      tr.querySelector('td.memory')!.textContent = formatBytes(t.memoryBytes);
    }
  });

  function visible(): Task[] {
    return state.tasks.filter((t) => matchesFilter(t, state.filter));
  }

  function order(): string[] {
    return groupByEnv(visible()).flatMap((g) => sortTasks(g.tasks, state.sort, Date.now()).map((t) => t.id));
  }

  function head(): HTMLElement {
    return h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...COLUMNS.map((c) => {
          const sorted = c.key && state.sort?.key === c.key ? (state.sort.descending ? 'descending' : 'ascending') : null;
          return h(
            'th',
            {
              class: [c.key ? 'sortable' : '', c.optional ? 'opt' : '', c.phone === false ? 'opt-phone' : '', c.num ? 'num' : ''].filter(Boolean).join(' '),
              'aria-sort': sorted,
              'data-sort': c.key,
              onclick: c.key
                ? () => {
                    state.sort = nextSort(state.sort, c.key!);
                    changed();
                  }
                : undefined,
            },
            c.title,
          );
        }),
      ),
    );
  }

  function row(t: Task, now: number): HTMLElement {
    const ports = t.ports ?? [];
    const tr = h(
      'tr',
      { 'data-id': t.id, class: t.id === state.selected ? 'selected' : '', onclick: () => (location.hash = taskHref(t.id)) },
      h('td', {}, h('a', { href: taskHref(t.id), class: 'name' }, label(t))),
      h('td', { class: `status status-${t.status}` }, t.status),
      h('td', { class: `health health-${t.health ?? 'none'}`, title: t.healthReason }, t.health ?? '–'),
      h('td', { class: 'num opt pid' }, t.pid === null ? '–' : String(t.pid)),
      h('td', { class: 'num uptime opt-phone', 'data-started': t.startedAt && !t.endedAt ? t.startedAt : null }, uptime(t.startedAt, t.endedAt, now)),
      h('td', { class: 'num opt' }, String(t.restarts)),
      h('td', { class: 'num cpu' }, formatPercent(t.cpuPercent)),
      h('td', { class: 'num opt memory' }, formatBytes(t.memoryBytes)),
      h('td', { class: 'opt mono' }, ports.join(' ') || '–'),
      h('td', { class: 'opt exit', title: lastExit(t) }, t.endedAt || t.exitCode !== null || t.signal ? lastExit(t) : '–'),
      h(
        'td',
        { class: 'actions' },
        h('button', { type: 'button', class: 'restart', title: 'Restart (r)', onclick: (e: Event) => (e.stopPropagation(), void restartTask(t)) }, 'restart'),
        ' ',
        h('button', { type: 'button', class: 'kill danger', title: 'Kill (K)', disabled: !isKillable(t), onclick: (e: Event) => (e.stopPropagation(), void killTask(t)) }, 'kill'),
      ),
    );
    return tr;
  }

  function render(): void {
    clear(el);
    if (!state.loaded) return void el.append(h('p', { class: 'empty' }, 'Loading…'));
    const groups = groupByEnv(visible());
    if (groups.length === 0) {
      el.append(h('p', { class: 'empty' }, state.tasks.length ? 'No task matches the filter.' : 'No task yet: start one with corral run or corral up.'));
      return;
    }
    const now = Date.now();
    for (const g of groups) {
      const env = g.env === null ? null : state.envs.find((e) => e.name === g.env);
      el.append(
        h(
          'div',
          { class: 'group', 'data-env': g.env ?? '' },
          h(
            'div',
            { class: 'group-head' },
            h('h2', {}, g.env ?? 'tasks'),
            env?.file ? h('span', { class: 'file', title: env.file }, env.file) : null,
            g.env !== null ? h('a', { href: `#/graph/${encodeURIComponent(g.env)}` }, 'graph') : null,
            g.env !== null && env?.file ? h('button', { type: 'button', class: 'env-up', onclick: () => void envAction(g.env!, 'up') }, 'up') : null,
            g.env !== null ? h('button', { type: 'button', class: 'env-down', onclick: () => void envAction(g.env!, 'down') }, 'down') : null,
          ),
          h('div', { class: 'table-wrap' }, h('table', { class: 'tasks' }, head(), h('tbody', {}, ...sortTasks(g.tasks, state.sort, now).map((t) => row(t, now))))),
        ),
      );
    }
  }

  function selectedTask(): Task | undefined {
    return state.tasks.find((t) => t.id === state.selected);
  }

  return {
    el,
    render,
    key(action: KeyAction): boolean {
      if (action === 'down' || action === 'up' || action === 'first' || action === 'last') {
        state.selected = moveSelection(order(), state.selected, action);
        changed();
        el.querySelector('tr.selected')?.scrollIntoView({ block: 'nearest' });
        return true;
      }
      const t = selectedTask();
      if (!t) return false;
      if (action === 'open') location.hash = taskHref(t.id);
      else if (action === 'kill') void killTask(t);
      else if (action === 'restart') void restartTask(t);
      else return false;
      return true;
    },
    destroy: () => {
      clearInterval(clock);
      offSamples();
    },
  };
}

export const isKillable = (t: Task): boolean => !['completed', 'failed', 'killed'].includes(t.status);
