/**
 * Every up/down of an environment is a run; the ended tasks of the last few runs are kept
 * for their logs, older ones go (records and log folders) as a new run starts, and the
 * new run says how many went.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../machines/defaults.js';
import { cleanupHome, cli, cliJson, makeHome } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

describe('runs of an environment', () => {
  it('keeps the ended tasks of the last runs, removes older ones as a new run starts, and says so; a task whose tree still runs stays', async () => {
    expect(DEFAULTS.envRunsKept).toBe(3);
    const file = join(home, 'corral.yaml');
    // Two one-shot steps, so that each `up` ends by itself; with LEAVE set, `a` leaves a process behind.
    writeFileSync(
      file,
      `name: keep
tasks:
  a: { command: 'if [ -n "$LEAVE" ]; then sleep 30 & fi; exit 0', background: false }
  b: { command: 'true', background: false }
`,
    );
    const up = async (env: Record<string, string> = {}) => {
      const r = await cli(home, ['up', '-f', file], { env });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return r.stdout;
    };
    expect(await up({ LEAVE: '1' })).not.toMatch(/removed/);
    for (let run = 2; run <= 4; run++) expect(await up()).not.toMatch(/removed/);
    expect(existsSync(join(home, 'logs', 'bash_2'))).toBe(true);

    // Run 5 keeps runs 2 to 4: of run 1, b goes; a stays, since the process it left still runs.
    const fifth = await up();
    expect(fifth).toMatch(/^corral: removed 1 task of older runs of keep$/m);
    const ids = async () => (await cliJson<any[]>(home, ['ls'])).map((t) => t.id);
    expect(await ids()).toEqual(['bash_1', 'bash_3', 'bash_4', 'bash_5', 'bash_6', 'bash_7', 'bash_8', 'bash_9', 'bash_10']);
    expect(existsSync(join(home, 'logs', 'bash_2'))).toBe(false);
    expect(existsSync(join(home, 'logs', 'bash_1'))).toBe(true);

    const sixth = await cli(home, ['orchestrate', '-f', file, '--wait-healthy']);
    expect(sixth.code, sixth.stderr).toBe(0);
    expect(sixth.stderr).toMatch(/^corral: removed 2 tasks of older runs of keep$/m);
    expect(await ids()).toEqual(['bash_1', 'bash_5', 'bash_6', 'bash_7', 'bash_8', 'bash_9', 'bash_10', 'bash_11', 'bash_12']);
    expect(existsSync(join(home, 'logs', 'bash_3'))).toBe(false);
  }, 120_000);
});
