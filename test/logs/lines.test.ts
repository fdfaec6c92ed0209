/** The matching lines of a buffer: a literal found by byte search gives what the regex gives line by line. */
import { describe, expect, it } from 'vitest';
import { eachMatch } from '../../src/logs/lines.js';

const lines = (buf: Buffer, filter: RegExp) => {
  const found: string[] = [];
  eachMatch(buf, filter, (start, end) => found.push(buf.toString('utf8', start, end)) > 0);
  return found;
};
/** What a line-by-line test finds: the reference. */
const byLine = (text: string, filter: RegExp) =>
  text.split(/(?<=\n)/).filter((l) => {
    filter.lastIndex = 0;
    return filter.test(l.replace(/\n$/, ''));
  });

describe('eachMatch', () => {
  const text = 'FAIL first\nok\nx FAIL x FAIL\nFAILFAIL\nré FAIL é\nnothing\nlast FAIL';
  const buf = Buffer.from(text);

  it('finds every line a literal is in, once each, the last one without its newline too', () => {
    expect(lines(buf, /FAIL/)).toEqual(byLine(text, /FAIL/));
    expect(lines(buf, /FAIL/)).toHaveLength(5);
    expect(lines(buf, /é/)).toEqual(['ré FAIL é\n']);
  });

  it('leaves to the regex what is no plain literal: flags and metacharacters', () => {
    for (const re of [/fail/i, /^FAIL/, /FAIL$/, /F.IL/, /FAIL/y]) expect(lines(buf, re)).toEqual(byLine(text, re));
  });

  it('stops when the visitor says so', () => {
    const found: number[] = [];
    eachMatch(buf, /FAIL/, (start) => found.push(start) < 2);
    expect(found).toEqual([0, 14]);
  });
});
