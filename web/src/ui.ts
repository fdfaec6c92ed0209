/** The page's small pieces: a message line, the kill confirmation, the help, light/dark. */
import { clear, h } from './dom.js';
import { HELP } from './lib/keys.js';

let toastTimer: ReturnType<typeof setTimeout> | null = null;
export function toast(text: string, error = false): void {
  const el = document.getElementById('toast')!;
  el.textContent = text;
  el.className = `show${error ? ' error' : ''}`;
  if (toastTimer) clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = ''), error ? 6000 : 2500);
}

/** Asks before a kill; resolves true on "Kill". */
export function confirmKill(label: string): Promise<boolean> {
  const dialog = document.getElementById('confirm') as HTMLDialogElement;
  document.getElementById('confirm-text')!.textContent = `Kill ${label} and every process it started?`;
  dialog.returnValue = '';
  dialog.showModal();
  (document.getElementById('confirm-ok') as HTMLButtonElement).focus();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

export function showHelp(): void {
  const dialog = document.getElementById('help') as HTMLDialogElement;
  const table = document.getElementById('help-keys')!;
  clear(table);
  for (const [keys, what] of HELP) table.append(h('tr', {}, h('td', {}, keys), h('td', {}, what)));
  if (!dialog.open) dialog.showModal();
}

export const dialogOpen = (): boolean => [...document.querySelectorAll('dialog')].some((d) => d.open);

type Theme = 'light' | 'dark' | null;
const THEME_KEY = 'corral-theme';

export function initTheme(): void {
  applyTheme((localStorage.getItem(THEME_KEY) as Theme) ?? null);
  // The charts pick their colours when drawn: a change of the system's preference redraws them.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => window.dispatchEvent(new Event('corral-theme')));
}

/** Flips to the other of what is shown now, and remembers it. */
export function toggleTheme(): void {
  const pinned = document.documentElement.dataset.theme;
  const dark = pinned ? pinned === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  const next: Theme = dark ? 'light' : 'dark';
  localStorage.setItem(THEME_KEY, next);
  applyTheme(next);
}

function applyTheme(theme: Theme): void {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  window.dispatchEvent(new Event('corral-theme'));
}

/**
 * A colour variable's value now, resolved (for the charts, which draw on a canvas): the
 * variables hold light-dark(…), which only an element's computed colour settles.
 */
export function cssVar(name: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${name})`;
  document.body.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}
