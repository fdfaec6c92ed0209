/**
 * The lines of a buffer of whole lines that a filter matches, each by its byte range,
 * forwards or backwards. The filter is tested on each line alone, without its newline.
 *
 * A plain literal (`FAIL`, `Error:`) is found by byte search, `Buffer.indexOf`: no line is
 * decoded but those it is in. Otherwise a buffer of ASCII (the common case, checked
 * without decoding) is decoded once, as latin1, and searched as a whole with the filter in multiline mode: only a line where the search
 * finds a match is tested alone. That skips the lines nothing matches in at the speed of
 * the regex engine, and misses none: without lookarounds, a pattern that matches a line
 * alone matches at the same place within the text (`^` and `$` in multiline mode match at
 * the newlines, and a newline is no word character for `\b`). Patterns with lookarounds,
 * and any other buffer, are tested line by line.
 */

import { isAscii } from 'node:buffer';

/** Called with the byte range of a matching line (`end` past its newline, when it has one). Returns false to stop. */
export type MatchVisitor = (start: number, end: number) => boolean;

function testLine(filter: RegExp, text: string): boolean {
  filter.lastIndex = 0;
  return filter.test(text);
}

/** The filter in multiline mode for searching whole texts, or null when it cannot be trusted to find every line. */
function wholeTextSearch(filter: RegExp): RegExp | null {
  if (/\(\?[^:]/.test(filter.source)) return null;
  return new RegExp(filter.source, `${filter.flags.replace(/[gmy]/g, '')}gm`);
}

const searches = new WeakMap<RegExp, RegExp | null>();

/** The text a plain literal pattern (no metacharacter, no flag that changes matching) looks for, else null. */
function literalOf(filter: RegExp): Buffer | null {
  if (/[\\^$.|?*+()[\]{}]/.test(filter.source) || /[iuvsy]/.test(filter.flags) || filter.source.length === 0) return null;
  return Buffer.from(filter.source, 'utf8');
}

const literals = new WeakMap<RegExp, Buffer | null>();

/** A literal is found by byte search, without decoding the lines nothing matches in. */
function literalLines(buf: Buffer, needle: Buffer, visit: MatchVisitor): void {
  for (let at = buf.indexOf(needle); at >= 0; ) {
    const start = at > 0 ? buf.lastIndexOf(10, at - 1) + 1 : 0;
    const nl = buf.indexOf(10, at);
    const end = nl < 0 ? buf.length : nl + 1;
    if (!visit(start, end) || end >= buf.length) return;
    at = buf.indexOf(needle, end);
  }
}

function matchingLines(buf: Buffer, filter: RegExp, visit: MatchVisitor): void {
  if (!literals.has(filter)) literals.set(filter, literalOf(filter));
  const literal = literals.get(filter)!;
  if (literal) return literalLines(buf, literal, visit);
  // ASCII decodes as latin1 to the same text, and faster: one byte a character.
  const ascii = isAscii(buf);
  const text = buf.toString(ascii ? 'latin1' : 'utf8');
  if (!searches.has(filter)) searches.set(filter, wholeTextSearch(filter));
  const search = searches.get(filter)!;
  if (ascii && search) {
    search.lastIndex = 0;
    for (let m = search.exec(text); m; m = search.exec(text)) {
      const start = m.index > 0 ? text.lastIndexOf('\n', m.index - 1) + 1 : 0;
      const nl = text.indexOf('\n', m.index);
      const end = nl < 0 ? text.length : nl + 1;
      if (testLine(filter, text.slice(start, nl < 0 ? end : nl)) && !visit(start, end)) return;
      if (end >= text.length) return;
      search.lastIndex = end;
    }
    return;
  }
  for (let i = 0; i < buf.length; ) {
    const nl = buf.indexOf(10, i);
    const end = nl < 0 ? buf.length : nl + 1;
    if (testLine(filter, buf.toString('utf8', i, nl < 0 ? end : nl)) && !visit(i, end)) return;
    i = end;
  }
}

export function eachMatch(buf: Buffer, filter: RegExp, visit: MatchVisitor): void {
  matchingLines(buf, filter, visit);
}

/** The same, the last line first. */
export function eachMatchBack(buf: Buffer, filter: RegExp, visit: MatchVisitor): void {
  const ranges: number[] = [];
  matchingLines(buf, filter, (start, end) => ranges.push(start, end) > 0);
  for (let i = ranges.length - 2; i >= 0; i -= 2) if (!visit(ranges[i]!, ranges[i + 1]!)) return;
}
