/**
 * The page's keyboard, after the terminal UI's (src/ui/keys.ts): j/k or arrows move, Enter
 * opens, K kills (asking first), r restarts, / filters, g the graph, ? help, Esc goes back.
 */
export type KeyAction =
  | 'down'
  | 'up'
  | 'first'
  | 'last'
  | 'open'
  | 'kill'
  | 'restart'
  | 'filter'
  | 'help'
  | 'back'
  | 'graph'
  | 'list'
  | 'theme'
  | 'stream'
  | null;

export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** Focus is in a text field: only Escape means anything then. */
  typing?: boolean;
}

export function keyAction(input: KeyInput): KeyAction {
  if (input.typing) return input.key === 'Escape' ? 'back' : null;
  if (input.ctrlKey || input.metaKey || input.altKey) return null;
  switch (input.key) {
    case 'j':
    case 'ArrowDown':
      return 'down';
    case 'k':
    case 'ArrowUp':
      return 'up';
    case 'Home':
      return 'first';
    case 'G':
    case 'End':
      return 'last';
    case 'Enter':
    case 'l':
      return 'open';
    case 'K':
      return 'kill';
    case 'r':
      return 'restart';
    case '/':
      return 'filter';
    case '?':
      return 'help';
    case 'Escape':
    case 'q':
      return 'back';
    case 'g':
      return 'graph';
    case 't':
      return 'list';
    case 'd':
      return 'theme';
    case 'Tab':
      return 'stream';
    default:
      return null;
  }
}

export const HELP: [string, string][] = [
  ['j / ↓, k / ↑', 'select the next / previous task'],
  ['Home, G / End', 'first / last task'],
  ['Enter / l', "open the task's page"],
  ['K', 'kill the selected task (asks first)'],
  ['r', 'restart the selected task'],
  ['/', 'filter'],
  ['t, g', 'task list, dependency graphs'],
  ['Tab', 'next log stream (task page)'],
  ['d', 'light / dark'],
  ['Esc / q', 'back, or clear the filter'],
  ['?', 'this help'],
];

/** The selection after moving `action` from `selected` in `order`. */
export function moveSelection(order: readonly string[], selected: string | null, action: 'down' | 'up' | 'first' | 'last'): string | null {
  if (order.length === 0) return null;
  const at = selected === null ? -1 : order.indexOf(selected);
  let next: number;
  if (action === 'first') next = 0;
  else if (action === 'last') next = order.length - 1;
  else if (at === -1) next = action === 'down' ? 0 : order.length - 1;
  else next = Math.min(order.length - 1, Math.max(0, at + (action === 'down' ? 1 : -1)));
  return order[next] ?? null;
}
