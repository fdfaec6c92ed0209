import { describe, expect, it } from 'vitest';
import { checkLatency } from './latency.js';

describe('checkLatency', () => {
  it('passes when one try meets the budget', () => {
    expect(() => checkLatency('x', [{ total: 900, daemon: 850 }, { total: 300, daemon: 250 }], 500)).not.toThrow();
  });

  it('lets a slow daemon off, with every try slow on its side', () => {
    expect(() => checkLatency('x', [{ total: 900, daemon: 880 }, { total: 700, daemon: 690 }], 500)).not.toThrow();
  });

  it('fails when the page itself is slow after the answer, or no try meets it for its own part', () => {
    expect(() => checkLatency('x', [{ total: 800, daemon: 100 }], 500)).toThrow(/the page took 700 ms/);
    expect(() => checkLatency('x', [{ total: 600, daemon: 380 }, { total: 620, daemon: 500 }], 500)).toThrow(/no try within 500 ms; tries: 600 ms \(daemon 380 ms\)/);
  });
});
