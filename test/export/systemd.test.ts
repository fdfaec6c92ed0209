/**
 * `corral export systemd`: golden files, `systemd-analyze verify` on every unit, and one
 * test per row of the README's mapping table.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ExportResult } from '../../src/export/index.js';
import { expectGolden, exportOf, GOLDEN_CASES, useExportCli, validate, warningKeys, y } from './helpers.js';

const { run, folder } = useExportCli();

describe.each(GOLDEN_CASES)('the systemd export of %s', (name, file) => {
  it('is the golden file, and systemd-analyze verify prints nothing for its units', async () => {
    const r = await run('systemd', '-f', file);
    expect(r.code).toBe(0);
    expectGolden(`${name}.systemd.txt`, r.stdout);
    const dir = folder();
    expect((await run('systemd', '-f', file, '-o', dir)).code).toBe(0);
    const units = readdirSync(dir).sort();
    expect(units.at(-1)).toMatch(/\.target$/);
    expect(validate('systemd-analyze', ['verify', ...units.map((u) => `./${u}`)], dir)).toEqual({ code: 0, output: '' });
  });
});

/** The lines of one unit's file, without its header comment. */
function unitOf(result: ExportResult, task: string): string[] {
  const file = result.files.find((f) => f.path === `app-${task}.service`);
  if (!file) throw new Error(`no unit of ${task}`);
  return file.content.split('\n').filter((l) => l && !l.startsWith('#'));
}

describe('systemd mapping', () => {
  const exported = (...lines: string[]) => exportOf('systemd', y('name: app', 'tasks:', ...lines));
  const lines = (...taskLines: string[]) => unitOf(exported(...taskLines), 'api');

  it('command: through /bin/sh -c as corral runs it; quotes, $ and % escaped for systemd', () => {
    expect(lines('  api:', '    command: echo "100%" $HOME')).toContain('ExecStart=/bin/sh -c "echo \\"100%%\\" $$HOME"');
  });

  it('cwd: WorkingDirectory=, the absolute folder', () => {
    expect(lines('  api: { command: x, cwd: srv/api }')).toContain('WorkingDirectory=/srv/app/srv/api');
  });

  it('env: one Environment= per variable, quoted', () => {
    expect(lines('  api: { command: x, env: { A: "a b", B: "say \\"hi\\"" } }')).toEqual(expect.arrayContaining(['Environment="A=a b"', 'Environment="B=say \\"hi\\""']));
  });

  it('depends_on: Requires= and After=; completed is Wants= and After=; a service waited on for its exit is warned', () => {
    const r = exported(
      '  db: { command: db, health: { tcp: 5432 } }',
      '  step: { command: step, background: false }',
      '  cache: { command: cache }',
      '  api: { command: api, depends_on: { db: healthy, step: completed, cache: started } }',
      '  late: { command: late, depends_on: { cache: succeeded } }',
    );
    expect(unitOf(r, 'api')).toEqual(expect.arrayContaining(['Requires=app-db.service app-cache.service', 'Wants=app-step.service', 'After=app-db.service app-step.service app-cache.service']));
    expect(warningKeys(r)).toEqual(['late: depends_on.cache']);
  });

  it('background: false is Type=oneshot with RemainAfterExit=yes; a service is Type=exec', () => {
    expect(lines('  api: { command: x, background: false }')).toEqual(expect.arrayContaining(['Type=oneshot', 'RemainAfterExit=yes']));
    expect(lines('  api: { command: x }')).toContain('Type=exec');
  });

  it('health: a polling ExecStartPost= at the check interval, so that After= means healthy; deadline the longest wait on it', () => {
    const r = exported('  api: { command: x, health: { http: "http://127.0.0.1:4000/", tcp: 5000, interval: 500ms } }', '  web: { command: w, depends_on: { api: { condition: healthy, timeout: 10m } } }');
    expect(unitOf(r, 'api')).toEqual(
      expect.arrayContaining(['ExecStartPost=/bin/sh -c "until curl -fsS -o /dev/null http://127.0.0.1:4000/ && nc -z 127.0.0.1 5000; do sleep 0.5; done"', 'TimeoutStartSec=10m']),
    );
  });

  it('health: log and liveness are warned', () => {
    expect(warningKeys(exported('  api: { command: x, health: { log: ready, liveness: true } }'))).toEqual(['api: health.log', 'api: health.liveness']);
  });

  it('restart: Restart= with RestartSec= from the backoff, the limit as StartLimitBurst=/StartLimitIntervalSec=, success codes', () => {
    const r = lines('  api: { command: x, restart: { policy: unless-stopped, backoff: 3s, max_restarts: 2, window: 5m, success_exit_codes: [0, 3] } }');
    expect(r).toEqual(expect.arrayContaining(['Restart=always', 'RestartSec=3s', 'StartLimitBurst=3', 'StartLimitIntervalSec=5m', 'SuccessExitStatus=3']));
    expect(lines('  api: { command: x, background: false, restart: always }')).toContain('Restart=no');
    expect(warningKeys(exported('  api: { command: x, restart: { policy: always, factor: 3 } }'))).toEqual(['api: restart']);
  });

  it('stop: KillSignal=, TimeoutStopSec=, ExecStop=, and KillMode=control-group always', () => {
    expect(lines('  api: { command: x, stop: { signal: SIGINT, grace: 20s, command: "kill -USR2 1" } }')).toEqual(
      expect.arrayContaining(['KillMode=control-group', 'KillSignal=SIGINT', 'TimeoutStopSec=20s', 'ExecStop=/bin/sh -c "kill -USR2 1"']),
    );
  });

  it('limits: MemoryMax= in bytes; timeout is RuntimeMaxSec=, or TimeoutStartSec= for a one-shot step; idle is warned', () => {
    expect(lines('  api: { command: x, limits: { memory: 1G, timeout: 2h } }')).toEqual(expect.arrayContaining([`MemoryMax=${1024 ** 3}`, 'RuntimeMaxSec=2h']));
    expect(lines('  api: { command: x, background: false, limits: { timeout: 90s } }')).toContain('TimeoutStartSec=1m30s');
    expect(warningKeys(exported('  api: { command: x, limits: { idle: 5m } }'))).toEqual(['api: limits.idle']);
  });

  it('nice and ionice: Nice=, IOSchedulingClass= and IOSchedulingPriority=', () => {
    expect(lines('  api: { command: x, nice: -3, ionice: "best-effort:2" }')).toEqual(expect.arrayContaining(['Nice=-3', 'IOSchedulingClass=best-effort', 'IOSchedulingPriority=2']));
  });

  it('a target starts every unit, and each unit is part of it', () => {
    const r = exported('  db: { command: db }', '  api: { command: api }');
    expect(r.files.map((f) => f.path)).toEqual(['app-db.service', 'app-api.service', 'app.target']);
    expect(r.files[2]!.content).toContain('Wants=app-db.service app-api.service\n');
    expect(unitOf(r, 'api')).toEqual(expect.arrayContaining(['PartOf=app.target', 'WantedBy=app.target']));
  });
});

describe('systemd mapping of replicas', () => {
  it('replicas: a template unit whose instances (one per copy, each told its number) the target and the dependents want', async () => {
    const r = exportOf('systemd', y('name: app', 'tasks:', '  api:', '    command: node api.js --port $((3000 + CORRAL_REPLICA))', '    replicas: 2', '  web:', '    command: web', '    depends_on: [api]'));
    expect(r.files.map((f) => f.path)).toEqual(['app-api@.service', 'app-web.service', 'app.target']);
    const template = r.files[0]!.content.split('\n');
    expect(template).toContain('Environment=CORRAL_REPLICA=%i');
    expect(template).toContain('Description=app: api copy %i');
    const web = unitOf(r, 'web');
    expect(web).toContain('Requires=app-api@1.service app-api@2.service');
    expect(web).toContain('After=app-api@1.service app-api@2.service');
    expect(r.files[2]!.content).toContain('Wants=app-api@1.service app-api@2.service app-web.service');
    expect(r.warnings).toEqual([]);
    // systemd-analyze reads the instances from the template.
    const dir = folder();
    const written = await run('systemd', '-f', writeEnvFile(dir, y('name: app', 'tasks:', '  api:', '    command: sleep 1', '    replicas: 2')), '-o', dir);
    expect(written.code, written.stderr).toBe(0);
    expect(validate('systemd-analyze', ['verify', './app-api@1.service', './app.target'], dir)).toEqual({ code: 0, output: '' });
  });
});

function writeEnvFile(dir: string, text: string): string {
  const file = `${dir}/corral.yaml`;
  writeFileSync(file, text);
  return file;
}
