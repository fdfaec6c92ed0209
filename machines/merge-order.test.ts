import { describe, expect, it } from 'vitest';
import { inTurn, nextTurn, type Turn } from './merge-order.js';

/** Merges whole sources of [time, text] by turns, as the CLI does with its readers. */
function merge(sources: [number, string][][]): string[] {
  const at = sources.map(() => 0);
  const out: string[] = [];
  for (let turn: Turn | null; (turn = nextTurn(sources.map((s, i) => s[at[i]!]?.[0]))); ) {
    const s = sources[turn.source]!;
    const before = at[turn.source]!;
    while (at[turn.source]! < s.length && inTurn(turn, s[at[turn.source]!]![0])) out.push(s[at[turn.source]!++]![1]);
    expect(at[turn.source]).toBeGreaterThan(before);
  }
  return out;
}

describe('nextTurn', () => {
  it('gives the earliest source the turn until another source has an earlier line', () => {
    expect(nextTurn([5, 3, 9])).toEqual({ source: 1, until: 5, inclusive: false });
    expect(nextTurn([3, 5])).toEqual({ source: 0, until: 5, inclusive: true });
  });

  it('lets a lone source run to its end, and says when every source is done', () => {
    expect(nextTurn([undefined, 7, undefined])).toEqual({ source: 1, until: Number.POSITIVE_INFINITY, inclusive: true });
    expect(nextTurn([undefined, undefined])).toBeNull();
    expect(nextTurn([])).toBeNull();
  });

  it('breaks a tie by source order, so lines of one time keep the order of their sources', () => {
    expect(nextTurn([4, 4])).toEqual({ source: 0, until: 4, inclusive: true });
    expect(merge([
      [[1, 'a1'], [4, 'a4'], [4, 'a4b'], [9, 'a9']],
      [[2, 'b2'], [4, 'b4'], [5, 'b5']],
    ])).toEqual(['a1', 'b2', 'a4', 'a4b', 'b4', 'b5', 'a9']);
  });

  it('puts lines with no known time (Infinity) last, source by source', () => {
    const inf = Number.POSITIVE_INFINITY;
    expect(merge([
      [[1, 'a1'], [inf, 'a?']],
      [[inf, 'b?'], [inf, 'b??']],
      [[2, 'c2']],
    ])).toEqual(['a1', 'c2', 'a?', 'b?', 'b??']);
  });
});
