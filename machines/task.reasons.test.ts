/**
 * The words of a task's reason: how a run ended.
 */
import { describe, expect, it } from 'vitest';
import { describeExit } from './task.reasons.js';

describe('describeExit', () => {
  it.each<[Parameters<typeof describeExit>[0], string]>([
    [{ exitCode: 0, signal: null }, 'exit 0'],
    [{ exitCode: 3, signal: null }, 'exit 3'],
    [{ exitCode: null, signal: 'SIGSEGV' }, 'SIGSEGV'],
    [{ exitCode: 1, signal: 'SIGKILL' }, 'SIGKILL'],
    [{ exitCode: null, signal: null, note: 'monitor vanished without an exit file' }, 'monitor vanished without an exit file'],
    [{ exitCode: null, signal: null }, 'exit status unknown'],
    [{ exitCode: 2, signal: null, note: 'ignored when the code is known' }, 'exit 2'],
  ])('%j → %s', (exit, text) => {
    expect(describeExit(exit)).toBe(text);
  });
});
