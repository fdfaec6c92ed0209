/**
 * Scheduled steps in the exports: a systemd .timer (checked by systemd-analyze verify), a
 * Kubernetes CronJob (checked against the API's schema) that forbids overlapping runs, and
 * a warning from compose, which has no schedules; the notations translated field by field.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cronJobSchedule, systemdTimer } from '../../src/export/schedule.js';
import { exportOf, removeDir, tempDir, validate, warningKeys, y, yamlOf } from './helpers.js';
import { objectsOf, schemaProblems } from './k8s-checks.js';

const FILE = y(
  'name: app',
  'tasks:',
  '  backup: { command: ./backup.sh, schedule: "30 2 * * 1-5" }',
  '  tick: { command: ./tick.sh, every: 10m }',
  '  api: { command: node api.js }',
);

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe('export systemd', () => {
  it('gives a scheduled step a timer that the target starts, and a service that ends inactive', () => {
    const r = exportOf('systemd', FILE);
    const file = (path: string) => r.files.find((f) => f.path === path)!.content.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(file('app-backup.timer')).toEqual(expect.arrayContaining(['OnCalendar=Mon..Fri *-*-* 2:30:0', 'Unit=app-backup.service', 'WantedBy=app.target']));
    expect(file('app-tick.timer')).toEqual(expect.arrayContaining(['OnActiveSec=0', 'OnUnitActiveSec=10m00s']));
    expect(file('app-backup.service')).toContain('Type=oneshot');
    expect(file('app-backup.service')).not.toContain('RemainAfterExit=yes');
    expect(file('app-backup.service').some((l) => l.startsWith('WantedBy='))).toBe(false);
    expect(file('app.target')).toContain('Wants=app-backup.timer app-tick.timer app-api.service');
    expect(r.warnings).toEqual([]);

    const dir = tempDir();
    dirs.push(dir);
    for (const f of r.files) writeFileSync(join(dir, f.path), f.content);
    expect(validate('systemd-analyze', ['verify', ...r.files.map((f) => `./${f.path}`)], dir)).toEqual({ code: 0, output: '' });
  });

  it('warns about a cron it cannot say, and about both day fields', () => {
    expect(systemdTimer({ cron: '0 0 L * *' })).toMatchObject({ lines: [], warning: expect.stringMatching(/no calendar form for "L"/) });
    expect(systemdTimer({ cron: '0 0 1 * 1' }).warning).toMatch(/either the day of month or the weekday/);
    expect(systemdTimer({ cron: '@weekly' })).toEqual({ lines: ['OnCalendar=Sun *-*-* 0:0:0'], warning: null });
    expect(systemdTimer({ cron: '*/10 */5 * * * *' }).lines).toEqual(['OnCalendar=*-*-* *:0/5:0/10']);
  });
});

describe('export k8s', () => {
  it('makes a scheduled step a CronJob that forbids overlapping runs', () => {
    const r = exportOf('k8s', FILE, { image: 'app:1' });
    const backup = yamlOf(r, 'backup.yaml');
    expect(backup).toMatchObject({ kind: 'CronJob', spec: { schedule: '30 2 * * 1-5', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never' } } } } } });
    expect(yamlOf(r, 'tick.yaml').spec.schedule).toBe('*/10 * * * *');
    const objects = r.files.flatMap((f) => objectsOf(f.content));
    expect(schemaProblems(objects)).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('says what a minute-grained cron loses', () => {
    expect(cronJobSchedule({ cron: '*/2 * * * * *' })).toMatchObject({ value: '* * * * *', warning: expect.stringMatching(/to the minute/) });
    expect(cronJobSchedule({ cron: '0 */5 * * * *' })).toEqual({ value: '*/5 * * * *', warning: null });
    expect(cronJobSchedule({ every: 7 * 60_000 })).toMatchObject({ value: '*/6 * * * *', warning: expect.stringMatching(/every 7m00s becomes/) });
    expect(cronJobSchedule({ every: 6 * 3_600_000 })).toEqual({ value: '0 */6 * * *', warning: null });
  });
});

describe('export compose', () => {
  it('warns that compose has no schedules', () => {
    const r = exportOf('compose', FILE, { image: 'app:1' });
    expect(warningKeys(r)).toEqual(['backup: schedule', 'tick: every']);
    expect(r.warnings.every((w) => /compose has no schedules/.test(w.message))).toBe(true);
  });
});
