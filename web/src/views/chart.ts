/** One uPlot time chart, with restarts and alerts drawn as vertical marks on its time axis. */
import { h } from '../dom.js';
import type { Mark } from '../lib/marks.js';
import { cssVar } from '../ui.js';
import uPlot from '../vendor/uPlot.esm.js';


export interface Chart {
  /** Draws newer samples (the marks stay); false when this chart cannot (it had none), and must be drawn anew. */
  update(xs: number[], ys: number[]): boolean;
  destroy(): void;
}

export function chart(parent: HTMLElement, title: string, xs: number[], ys: number[], marks: Mark[], format: (v: number) => string): Chart {
  const box = h('div', { class: 'chart', 'data-chart': title }, h('h3', {}, title));
  parent.append(box);
  // How many samples it draws: what a test of the page can see of a canvas.
  box.dataset.samples = String(xs.length);
  if (xs.length === 0) {
    box.append(h('p', { class: 'empty' }, 'no samples (the task is not running)'));
    return { update: () => false, destroy: () => box.remove() };
  }
  const fg = cssVar('--muted');
  const grid = cssVar('--line');
  const line = cssVar('--accent');
  const restart = cssVar('--stopping');
  const alert = cssVar('--failed');
  const width = Math.max(200, box.clientWidth - 12);
  const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  // The axis spans the samples and the marks, so that a restart just before the samples
  // (or after the last one) is still drawn.
  const marked = marks.map((m) => m.t);
  const span = (min: number, max: number): [number, number] => [Math.min(min, ...marked), Math.max(max, ...marked)];
  const plot = new uPlot(
    {
      width,
      height: 150,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: (_u, min, max) => span(min, max) }, y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, 1)] } },
      axes: [axis, { ...axis, size: 64, values: (_u, vals) => vals.map((v) => format(v)) }],
      series: [{}, { label: title, stroke: line, width: 1.5, fill: line.replace(/^rgb\((.*)\)$/, 'rgba($1, 0.13)') }],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            for (const m of marks) {
              const x = u.valToPos(m.t, 'x', true);
              if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
              ctx.strokeStyle = m.kind === 'alert' ? alert : restart;
              ctx.lineWidth = 2 * devicePixelRatio;
              ctx.setLineDash(m.kind === 'alert' ? [4 * devicePixelRatio, 3 * devicePixelRatio] : []);
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    },
    [xs, ys],
    box,
  );
  if (marks.length) box.append(h('p', { class: 'legend' }, ...marks.slice(-5).map((m) => h('span', { title: m.text }, `${m.kind === 'alert' ? '┆' : '│'} ${new Date(m.t * 1000).toLocaleTimeString()} ${m.text.slice(0, 40)}`))));
  return {
    update: (newXs, newYs) => {
      plot.setData([newXs, newYs]);
      box.dataset.samples = String(newXs.length);
      return true;
    },
    destroy: () => (plot.destroy(), box.remove()),
  };
}
