/**
 * The lines of a buffer of whole lines that a filter matches, each by its byte range,
 * forwards or backwards. The filter is tested on each line alone, without its newline.
 *
 * A buffer whose text has one character per byte (ASCII, the common case) is decoded once
 * and searched as a whole with the filter in multiline mode: only a line where the search
 * finds a match is tested alone. That skips the lines nothing matches in at the speed of
 * the regex engine, and misses none: without lookarounds, a pattern that matches a line
 * alone matches at the same place within the text (`^` and `$` in multiline mode match at
 * the newlines, and a newline is no word character for `\b`). Patterns with lookarounds,
 * and any other buffer, are tested line by line.
 */

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

function matchingLines(buf: Buffer, filter: RegExp, visit: MatchVisitor): void {
  const text = buf.toString('utf8');
  if (!searches.has(filter)) searches.set(filter, wholeTextSearch(filter));
  const search = searches.get(filter)!;
  if (text.length === buf.length && search) {
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
