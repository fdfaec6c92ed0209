/** `corral ui` where there is no terminal: one sentence, exit 2, and no daemon started for nothing. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, makeHome, processesOf } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

describe('corral ui without a terminal', () => {
  it('says it needs one and exits 2, at once', async () => {
    const t0 = Date.now();
    const r = await cli(home, ['ui']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('corral: corral ui needs a terminal: run it with stdin and stdout on a TTY\n');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(processesOf(home)).toEqual([]);
  });

  it('refuses --json with exit 2, naming what to use instead', async () => {
    const r = await cli(home, ['ui', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^corral: corral ui is interactive: it has no --json output \(use corral ls --json\)\n$/);
  });
});
