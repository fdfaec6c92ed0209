/** The dashboard page: routes (#/, #/graph, #/task/ID), the live stream, the keyboard. */
import { clear } from './dom.js';
import { keyAction } from './lib/keys.js';
import { parseRoute } from './lib/route.js';
import { connect } from './live.js';
import { changed, refetch, state, subscribe } from './state.js';
import { dialogOpen, initTheme, showHelp, toast, toggleTheme } from './ui.js';
import { graphView } from './views/graph.js';
import { listView } from './views/list.js';
import { taskView } from './views/task.js';
import type { View } from './views/view.js';

const main = document.getElementById('view')!;
const filterBox = document.getElementById('filter') as HTMLInputElement;
let current: View | null = null;

function route(): void {
  current?.destroy();
  clear(main);
  const r = parseRoute(location.hash);
  current = r.view === 'task' ? taskView(r) : r.view === 'graph' ? graphView(r.env) : listView();
  main.append(current.el);
  current.render();
  for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) a.classList.toggle('current', a.dataset.nav === r.view);
  filterBox.hidden = r.view === 'task';
  document.title = r.view === 'task' ? `${r.id} · corral` : r.view === 'graph' ? 'graph · corral' : 'corral';
}

subscribe(() => {
  current?.render();
  document.getElementById('live')!.classList.toggle('on', state.connected);
});

filterBox.addEventListener('input', () => {
  state.filter = filterBox.value;
  changed();
});

document.getElementById('theme')!.addEventListener('click', toggleTheme);
document.getElementById('help-button')!.addEventListener('click', showHelp);

document.addEventListener('keydown', (event) => {
  if (dialogOpen()) return;
  const target = event.target as HTMLElement;
  const typing = target.tagName === 'INPUT' || target.tagName === 'TEXTAREA';
  const action = keyAction({ key: event.key, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey, typing });
  if (action === null) return;
  if (action === 'stream' && parseRoute(location.hash).view !== 'task') return; // Tab keeps moving focus elsewhere
  if (current?.key(action)) return void event.preventDefault();
  switch (action) {
    case 'filter':
      filterBox.focus();
      break;
    case 'help':
      showHelp();
      break;
    case 'theme':
      toggleTheme();
      break;
    case 'graph':
      location.hash = '#/graph';
      break;
    case 'list':
      location.hash = '#/';
      break;
    case 'back':
      if (typing) target.blur();
      if (state.filter && parseRoute(location.hash).view === 'list') {
        filterBox.value = state.filter = '';
        changed();
      } else if (location.hash && location.hash !== '#/') location.hash = '#/';
      break;
    default:
      return;
  }
  event.preventDefault();
});

initTheme();
window.addEventListener('hashchange', route);
route();
refetch().catch((error: Error) => toast(`cannot reach the daemon: ${error.message}`, true));
connect();
