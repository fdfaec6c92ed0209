/** The home lock's name (an abstract socket) and its hold: one holder per home. */
import { describe, expect, it } from 'vitest';
import { acquireLock, lockHolder, lockName } from '../../src/daemon/lock.js';

describe('the home lock', () => {
  it('names each home apart, the same way every time, within an abstract socket name', () => {
    const long = `/home/dev/${'a/'.repeat(400)}`;
    expect(lockName('/tmp/a')).toBe(lockName('/tmp/a'));
    expect(lockName('/tmp/a')).not.toBe(lockName('/tmp/b'));
    expect(lockName(long)).not.toBe(lockName(`${long}x`));
    for (const home of ['/tmp/a', long, '/home/dév/ünïcode']) {
      expect(lockName(home).startsWith('\0corral-')).toBe(true);
      expect(Buffer.byteLength(lockName(home))).toBeLessThanOrEqual(108);
    }
  });

  it('is held by one at a time, and free again once its holder lets go', async () => {
    const home = `/tmp/corral-lock-test-${process.pid}`;
    const first = await acquireLock(home);
    expect(first).not.toBeNull();
    expect(await acquireLock(home)).toBeNull();
    await new Promise((r) => first!.close(r));
    const again = await acquireLock(home);
    expect(again).not.toBeNull();
    await new Promise((r) => again!.close(r));
  });

  it('keeps the start lock apart from the daemon lock', async () => {
    const home = `/tmp/corral-lock-test-start-${process.pid}`;
    expect(lockName(home, 'start')).not.toBe(lockName(home));
    const daemon = await acquireLock(home);
    const start = await acquireLock(home, 'start');
    expect(daemon).not.toBeNull();
    expect(start).not.toBeNull();
    expect(await acquireLock(home, 'start')).toBeNull();
    await new Promise((r) => daemon!.close(r));
    await new Promise((r) => start!.close(r));
  });

  it('tells who holds it: the daemon answers its pid and whether it serves yet; nobody holding it is null', async () => {
    const home = `/tmp/corral-lock-test-holder-${process.pid}`;
    expect(await lockHolder(home)).toBeNull();
    let serving = false;
    const lock = await acquireLock(home, 'daemon', () => ({ pid: 4242, serving, problem: null }));
    expect(await lockHolder(home)).toEqual({ pid: 4242, serving: false, problem: null });
    serving = true;
    expect(await lockHolder(home)).toEqual({ pid: 4242, serving: true, problem: null });
    await new Promise((r) => lock!.close(r));
    expect(await lockHolder(home)).toBeNull();
  });

  it('counts a holder that says nothing (an older daemon) as one that serves, with no pid', async () => {
    const home = `/tmp/corral-lock-test-silent-${process.pid}`;
    const lock = await acquireLock(home);
    expect(await lockHolder(home)).toEqual({ pid: null, serving: true });
    await new Promise((r) => lock!.close(r));
  });
});
