/**
 * Signal names and numbers as users write them.
 */
import { describe, expect, it } from 'vitest';
import { normalizeSignal, SignalError, SIGNALS, signalName } from './signals.js';

const message = (value: string | number) =>
  `"${value}" is not a signal: use a name like SIGTERM, SIGINT, SIGKILL or a number like 15`;

describe('normalizeSignal', () => {
  it.each<[string | number, string]>([
    ['TERM', 'SIGTERM'],
    ['SIGTERM', 'SIGTERM'],
    ['sigterm', 'SIGTERM'],
    ['term', 'SIGTERM'],
    ['SigTerm', 'SIGTERM'],
    [15, 'SIGTERM'],
    ['15', 'SIGTERM'],
    [' int ', 'SIGINT'],
    ['KILL', 'SIGKILL'],
    [9, 'SIGKILL'],
    ['hup', 'SIGHUP'],
    [1, 'SIGHUP'],
    ['usr1', 'SIGUSR1'],
    ['SIGUSR2', 'SIGUSR2'],
    [31, 'SIGSYS'],
  ])('%j → %s', (input, name) => {
    expect(normalizeSignal(input)).toBe(name);
  });

  it('knows every Linux signal 1..31 by name, short name and number', () => {
    expect(Object.keys(SIGNALS)).toHaveLength(31);
    expect(Object.values(SIGNALS).sort((a, b) => a - b)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    for (const [name, num] of Object.entries(SIGNALS)) {
      expect(normalizeSignal(num)).toBe(name);
      expect(normalizeSignal(String(num))).toBe(name);
      expect(normalizeSignal(name.slice(3).toLowerCase())).toBe(name);
    }
  });

  it.each<string | number>(['FOO', 'SIGFOO', '', 'SIG', 0, 32, 64, '-9', '1.5', 'SIG TERM', 'TERM15', 'toString', 'constructor'])(
    'rejects %j with the exact message',
    (value) => {
      expect(() => normalizeSignal(value)).toThrow(SignalError);
      expect(() => normalizeSignal(value)).toThrow(new Error(message(value)));
    },
  );
});

describe('signalName', () => {
  it('names a number, and nothing for an unknown one', () => {
    expect(signalName(15)).toBe('SIGTERM');
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(11)).toBe('SIGSEGV');
    expect(signalName(0)).toBeUndefined();
    expect(signalName(99)).toBeUndefined();
  });
});
