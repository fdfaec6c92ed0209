/** Each environment's dependency graph, laid out by dagre and drawn as SVG. */
import { clear, h, s } from '../dom.js';
import { buildGraph, layoutGraph, type GraphModel } from '../lib/graph.js';
import type { KeyAction } from '../lib/keys.js';
import { taskHref } from '../lib/route.js';
import type { Env } from '../lib/types.js';
import { state } from '../state.js';
import dagre from '../vendor/dagre.esm.js';
import type { View } from './view.js';

export function graphView(only: string | null): View {
  const el = h('section', { class: 'graphs' });

  function render(): void {
    clear(el);
    const envs = state.envs.filter((e) => only === null || e.name === only);
    if (envs.length === 0) {
      el.append(h('p', { class: 'empty' }, state.loaded ? 'No environment: bring one up with corral up -f FILE.' : 'Loading…'));
      return;
    }
    el.append(
      h('div', { class: 'legend' }, 'edges: ', h('span', {}, 'grey: not met yet'), h('span', {}, 'green: met'), h('span', {}, 'dashed amber: the dependent waits on it')),
    );
    for (const env of envs) el.append(section(env));
  }

  return { el, render, key: (_action: KeyAction) => false, destroy: () => {} };
}

function section(env: Env): HTMLElement {
  const model = buildGraph(env, state.tasks);
  return h(
    'div',
    { class: 'graph-env', 'data-env': env.name },
    h('div', { class: 'group-head' }, h('h2', {}, env.name), env.file ? h('span', { class: 'file' }, env.file) : null, h('a', { href: '#/' }, 'list')),
    h('div', { class: 'graph-scroll' }, draw(model)),
  );
}

function draw(model: GraphModel): SVGElement {
  const placed = layoutGraph(model, dagre);
  const svg = s('svg', { class: 'graph', width: placed.width, height: placed.height, viewBox: `0 0 ${placed.width} ${placed.height}`, role: 'img' });
  svg.append(
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z' }))),
  );
  placed.edges.forEach((pe, i) => {
    const e = model.edges[i]!;
    const d = pe.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const width = e.condition.length * 6.5 + 8;
    svg.append(
      s(
        'g',
        { class: `edge${e.met ? ' met' : ''}${e.waiting ? ' waiting' : ''}`, 'data-from': e.from, 'data-to': e.to, 'data-condition': e.condition },
        s('title', {}, `${e.to} waits for ${e.from} to be ${e.condition}${e.met ? ' (met)' : e.waiting ? ' (waiting)' : ''}`),
        s('path', { d, 'marker-end': 'url(#arrow)' }),
        s('rect', { class: 'edge-label-bg', x: pe.label.x - width / 2, y: pe.label.y - 8, width, height: 16, rx: 3 }),
        s('text', { x: pe.label.x, y: pe.label.y + 4 }, e.condition),
      ),
    );
  });
  placed.nodes.forEach((pn, i) => {
    const n = model.nodes[i]!;
    const sub = n.task ? [n.task.status, n.task.health].filter(Boolean).join(' · ') : 'not started';
    const g = s(
      'g',
      { class: `node tone-${n.tone}`, 'data-name': n.name, 'data-id': n.task?.id ?? null, tabindex: n.task ? 0 : null, transform: `translate(${pn.x - pn.width / 2},${pn.y - pn.height / 2})` },
      s('title', {}, `${n.name}: ${sub}`),
      s('rect', { width: pn.width, height: pn.height }),
      s('text', { x: pn.width / 2, y: 18 }, n.name),
      s('text', { class: 'sub', x: pn.width / 2, y: 34 }, sub),
    );
    if (n.task) {
      const open = () => (location.hash = taskHref(n.task!.id));
      g.addEventListener('click', open);
      g.addEventListener('keydown', (ev) => {
        if ((ev as KeyboardEvent).key === 'Enter') open();
      });
    }
    svg.append(g);
  });
  return svg;
}
