/**
 * ANSI escape sequences of a log turned into styled segments. Colours become class names
 * (`fg-1`, `bg-4`, `bold` …) rather than inline styles: the page's CSP allows no style
 * attribute from markup, and the stylesheet gives each class a colour for light and dark.
 * Only SGR (`ESC[…m`) is kept; other CSI and OSC sequences are dropped.
 */
export interface AnsiState {
  fg: number | null;
  bg: number | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
}

export interface Segment {
  text: string;
  /** Space-separated classes; '' for plain text. */
  cls: string;
}

export const plainState: AnsiState = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false };

// CSI (ESC [ params final), OSC (ESC ] … BEL or ESC \), and other two-byte escapes.
const ESCAPE = /\x1b(?:\[([0-9;:?]*)([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])/g;

export function classOf(state: AnsiState): string {
  const out: string[] = [];
  if (state.fg !== null) out.push(`fg-${state.fg}`);
  if (state.bg !== null) out.push(`bg-${state.bg}`);
  if (state.bold) out.push('bold');
  if (state.dim) out.push('dim');
  if (state.italic) out.push('italic');
  if (state.underline) out.push('underline');
  return out.join(' ');
}

/** The state after one SGR parameter list (`1;31`, `38;5;9`, `` = reset). */
export function applySgr(state: AnsiState, params: string): AnsiState {
  const next = { ...state };
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) Object.assign(next, plainState);
    else if (c === 1) next.bold = true;
    else if (c === 2) next.dim = true;
    else if (c === 3) next.italic = true;
    else if (c === 4) next.underline = true;
    else if (c === 22) next.bold = next.dim = false;
    else if (c === 23) next.italic = false;
    else if (c === 24) next.underline = false;
    else if (c >= 30 && c <= 37) next.fg = c - 30;
    else if (c >= 90 && c <= 97) next.fg = c - 90 + 8;
    else if (c === 39) next.fg = null;
    else if (c >= 40 && c <= 47) next.bg = c - 40;
    else if (c >= 100 && c <= 107) next.bg = c - 100 + 8;
    else if (c === 49) next.bg = null;
    else if (c === 38 || c === 48) {
      // 256 colours: the first 16 map onto the palette; others, and 24-bit, onto the nearest of
      // the 16 would need a table for little gain, so they are left at the default colour.
      const mode = codes[i + 1];
      let colour: number | null = null;
      if (mode === 5) {
        const n = codes[i + 2] ?? 0;
        colour = n < 16 ? n : null;
        i += 2;
      } else if (mode === 2) i += 4;
      if (c === 38) next.fg = colour;
      else next.bg = colour;
    }
  }
  return next;
}

/** Splits `text` into segments, starting from `state`; returns the state at its end too. */
export function parseAnsi(text: string, state: AnsiState = plainState): { segments: Segment[]; state: AnsiState } {
  const segments: Segment[] = [];
  let at = 0;
  let current = state;
  const push = (piece: string) => {
    if (piece === '') return;
    const cls = classOf(current);
    const last = segments[segments.length - 1];
    if (last && last.cls === cls) last.text += piece;
    else segments.push({ text: piece, cls });
  };
  for (const m of text.matchAll(ESCAPE)) {
    push(text.slice(at, m.index));
    at = m.index + m[0].length;
    if (m[2] === 'm' && !(m[1] ?? '').startsWith('?')) current = applySgr(current, m[1] ?? '');
  }
  push(text.slice(at));
  return { segments, state: current };
}

/** The text without any escape sequence (for filtering and copying). */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPE, '');
}
