import { describe, expect, it } from 'vitest';
import type { TaskRecord, TaskStatus } from '../task.types.js';
import { resumptionOf } from './resume.js';

const process = { pid: 10, pidStart: 1, monitorPid: 9, monitorStart: 1, bootId: 'b', token: 't', logStart: { stdout: 0, stderr: 0 } };
const record = (status: TaskStatus, withProcess: boolean) => ({ status, process: withProcess ? process : null }) as TaskRecord;

describe('resumptionOf', () => {
  it.each([
    ['completed', true, 'history'],
    ['failed', false, 'history'],
    ['killed', true, 'history'],
    ['running', true, 'adopt'],
    ['starting', true, 'adopt'],
    ['stopping', true, 'stop-adopted'],
    ['waiting', false, 'wait'],
    ['restarting', false, 'start-again'],
    ['queued', false, 'start-again'],
    // A launch that never reported its pid: nothing to adopt, and starting it again could run it twice.
    ['starting', false, 'lost'],
    ['running', false, 'lost'],
    ['stopping', false, 'lost'],
  ] as const)('%s (process known: %s) → %s', (status, withProcess, expected) => {
    expect(resumptionOf(record(status, withProcess))).toBe(expected);
  });
});
