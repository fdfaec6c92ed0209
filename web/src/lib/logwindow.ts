/**
 * What the log view holds of a log: a contiguous byte range [start, end) read in windows
 * (the API's `before=` going back, `offset=` going on), cut into lines that know their byte
 * offset so each can be linked to. It keeps at most `maxLines`, dropping from the side away
 * from where the reader went, so a 1 GB log costs the page no more than what is shown.
 */
import type { LogWindow } from './types.js';

export interface LogLine {
  offset: number;
  text: string;
}

export interface LogView {
  start: number;
  end: number;
  /** The log's size when last heard of. */
  size: number;
  /** The first offset still on disk: scrolling back stops there. */
  kept: number;
  lines: LogLine[];
  /** The last line has no newline yet: what comes next continues it. */
  openEnd: boolean;
}

const encoder = new TextEncoder();
const byteLength = (s: string): number => encoder.encode(s).length;

/** A window's text as lines with their byte offsets. */
export function splitWindow(window: { start: number; text: string }): { lines: LogLine[]; openEnd: boolean } {
  const lines: LogLine[] = [];
  let offset = window.start;
  const parts = window.text.split('\n');
  const openEnd = parts[parts.length - 1] !== '';
  if (!openEnd) parts.pop();
  for (const text of parts) {
    lines.push({ offset, text });
    offset += byteLength(text) + 1;
  }
  return { lines, openEnd };
}

/** A view of just this window. */
export function fromWindow(window: LogWindow): LogView {
  const { lines, openEnd } = windowLines(window);
  return { start: window.start, end: window.end, size: window.size, kept: window.kept ?? 0, lines, openEnd };
}

/** A filtered window's lines are its matches; a plain one's, its text split. */
function windowLines(window: LogWindow): { lines: LogLine[]; openEnd: boolean } {
  if (window.lines) return { lines: window.lines.map((l) => ({ offset: l.offset, text: l.text })), openEnd: false };
  return splitWindow(window);
}

/** The view with an older window put before it (the window must end where the view starts). */
export function prepend(view: LogView, window: LogWindow, maxLines: number): LogView {
  if (window.end !== view.start) return fromWindow(window);
  const { lines, openEnd } = windowLines(window);
  let merged = lines;
  if (openEnd && lines.length > 0 && view.lines.length > 0) {
    // A line longer than a window comes in pieces: the older piece begins it.
    const last = lines[lines.length - 1]!;
    const first = view.lines[0]!;
    merged = [...lines.slice(0, -1), { offset: last.offset, text: last.text + first.text }, ...view.lines.slice(1)];
  } else merged = [...lines, ...view.lines];
  const next = { ...view, start: window.start, size: Math.max(view.size, window.size), kept: window.kept ?? view.kept, lines: merged };
  return trimEnd(next, maxLines);
}

/** The view with a newer window put after it (the window must start where the view ends). */
export function append(view: LogView, window: LogWindow, maxLines: number): LogView {
  if (window.start !== view.end) return fromWindow(window);
  const { lines, openEnd } = windowLines(window);
  let merged: LogLine[];
  if (view.openEnd && view.lines.length > 0 && lines.length > 0) {
    const last = view.lines[view.lines.length - 1]!;
    merged = [...view.lines.slice(0, -1), { offset: last.offset, text: last.text + lines[0]!.text }, ...lines.slice(1)];
  } else merged = [...view.lines, ...lines];
  const next: LogView = {
    ...view,
    end: window.end,
    size: Math.max(view.size, window.size),
    kept: window.kept ?? view.kept,
    lines: merged,
    openEnd: lines.length > 0 ? openEnd : view.openEnd,
  };
  return trimStart(next, maxLines);
}

/** Drops the oldest lines beyond `maxLines` (after reading on). */
export function trimStart(view: LogView, maxLines: number): LogView {
  if (view.lines.length <= maxLines) return view;
  const lines = view.lines.slice(view.lines.length - maxLines);
  return { ...view, lines, start: lines[0]!.offset };
}

/** Drops the newest lines beyond `maxLines` (after scrolling back). */
export function trimEnd(view: LogView, maxLines: number): LogView {
  if (view.lines.length <= maxLines) return view;
  const lines = view.lines.slice(0, maxLines);
  const next = view.lines[maxLines]!;
  return { ...view, lines, end: next.offset, openEnd: false };
}

/** More is on disk before the view. */
export const hasOlder = (view: LogView): boolean => view.start > view.kept;
/** The log has grown past the view. */
export const hasNewer = (view: LogView): boolean => view.end < view.size;
