import type { KeyAction } from '../lib/keys.js';

/** A page of the dashboard: its element, redrawn on a change, given the keys it handles. */
export interface View {
  el: HTMLElement;
  render(): void;
  /** True when the view used the key. */
  key(action: KeyAction): boolean;
  destroy(): void;
}
