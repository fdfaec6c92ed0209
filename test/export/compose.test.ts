/**
 * `corral export compose`: golden files, the docker-compose validator, and one test per
 * row of the README's mapping table.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden, exportOf, GOLDEN_CASES, useExportCli, validate, warningKeys, y, yamlOf } from './helpers.js';

const { run, folder } = useExportCli();

describe.each(GOLDEN_CASES)('the compose export of %s', (name, file) => {
  it('is the golden file, and docker-compose config -q accepts it', async () => {
    const r = await run('compose', '-f', file, '--image', 'node:20');
    expect(r.code).toBe(0);
    expectGolden(`${name}.compose.yaml`, r.stdout);
    const dir = folder();
    writeFileSync(join(dir, 'compose.yaml'), r.stdout);
    expect(validate('docker-compose', ['config', '-q'], dir)).toEqual({ code: 0, output: '' });
  });
});

describe('compose mapping', () => {
  const one = (...lines: string[]) => exportOf('compose', y('tasks:', ...lines), { image: 'node:20' });
  const serviceOf = (lines: string[], name = 'api') => yamlOf(one(...lines)).services[name];

  it('command: words as a list, a shell line through /bin/sh -c, $ escaped for compose', () => {
    expect(serviceOf(['  api:', '    command: node api.js --port 4000']).command).toEqual(['node', 'api.js', '--port', '4000']);
    expect(serviceOf(['  api:', '    command: [node, "a b.js"]']).command).toEqual(['node', 'a b.js']);
    expect(serviceOf(['  api:', '    command: node api.js > $HOME/log']).command).toEqual(['/bin/sh', '-c', 'node api.js > $$HOME/log']);
  });

  it('cwd: a subfolder is entered with cd, a folder outside the project is the working_dir', () => {
    expect(serviceOf(['  api:', '    command: node api.js', '    cwd: srv/api']).command).toEqual(['/bin/sh', '-c', 'cd srv/api && node api.js']);
    const outside = serviceOf(['  api:', '    command: node api.js', '    cwd: /opt/api']);
    expect(outside.working_dir).toBe('/opt/api');
    expect(outside.command).toEqual(['node', 'api.js']);
  });

  it('env: the merged variables, expanded as corral expands them, $ kept literal', () => {
    const s = exportOf('compose', y('env: { A: "1" }', 'tasks:', '  api:', '    command: x', '    env: { B: "${PORT:-80}-2", C: "$$PATH" }'), { image: 'node:20' });
    expect(yamlOf(s).services.api.environment).toEqual({ A: '1', B: '80-2', C: '$$PATH' });
  });

  it('depends_on: each condition as compose says it; completed waits for success, with a warning', () => {
    const r = one(
      '  db: { command: db, health: { tcp: 5432 } }',
      '  step: { command: step, background: false }',
      '  cache: { command: cache }',
      '  api:',
      '    command: api',
      '    depends_on: { db: healthy, step: succeeded, cache: started }',
      '  report: { command: report, depends_on: { step: completed } }',
    );
    const services = yamlOf(r).services;
    expect(services.api.depends_on).toEqual({ db: { condition: 'service_healthy' }, step: { condition: 'service_completed_successfully' }, cache: { condition: 'service_started' } });
    expect(services.report.depends_on).toEqual({ step: { condition: 'service_completed_successfully' } });
    expect(warningKeys(r)).toEqual(['report: depends_on.step']);
  });

  it('health: one CMD-SHELL test of every probe, with interval, timeout, retries and start period', () => {
    const s = serviceOf(['  api:', '    command: api', '    health: { http: "http://127.0.0.1:4000/health", exec: "test -f ready", interval: 500ms, timeout: 1s, retries: 4, start_period: 1m30s }']);
    expect(s.healthcheck).toEqual({
      test: ['CMD-SHELL', "curl -fsS -o /dev/null http://127.0.0.1:4000/health && test -f ready"],
      interval: '500ms',
      timeout: '1s',
      retries: 4,
      start_period: '1m30s',
    });
  });

  it('health: a log check and a listen check without a port are warnings, not tests', () => {
    const r = one('  api:', '    command: api', '    health: { log: ready }', '  web:', '    command: web', '    health: { listen: true }');
    expect(yamlOf(r).services.api.healthcheck).toBeUndefined();
    expect(warningKeys(r)).toEqual(['api: health.log', 'web: health.listen']);
  });

  it('ports: the ports the checks name are published on the loopback', () => {
    expect(serviceOf(['  api:', '    command: api', '    health: { http: "http://127.0.0.1:4000/health", tcp: 9229 }']).ports).toEqual(['127.0.0.1:4000:4000', '127.0.0.1:9229:9229']);
  });

  it('restart: the policy; a one-shot step is not restarted unless on failure; backoff and limits warned', () => {
    expect(serviceOf(['  api: { command: api, restart: unless-stopped }']).restart).toBe('unless-stopped');
    expect(serviceOf(['  api: { command: api, background: false, restart: always }']).restart).toBe('no');
    expect(serviceOf(['  api: { command: api, background: false, restart: on-failure }']).restart).toBe('on-failure');
    expect(warningKeys(one('  api: { command: api, restart: { policy: always, max_restarts: 3 } }'))).toEqual(['api: restart']);
  });

  it('stop: stop_signal and stop_grace_period; a stop command is warned', () => {
    const r = one('  api: { command: api, stop: { signal: SIGINT, grace: 1m5s, command: "kill -USR2 1" } }');
    expect(yamlOf(r).services.api).toMatchObject({ stop_signal: 'SIGINT', stop_grace_period: '1m5s' });
    expect(warningKeys(r)).toEqual(['api: stop.command']);
  });

  it('limits: memory is mem_limit in bytes; timeout and idle are warned', () => {
    const r = one('  api: { command: api, limits: { memory: 500M, timeout: 1h, idle: 5m } }');
    expect(yamlOf(r).services.api.mem_limit).toBe(500 * 1024 * 1024);
    expect(warningKeys(r)).toEqual(['api: limits.timeout', 'api: limits.idle']);
  });

  it('nice and ionice: warned, since compose has neither', () => {
    expect(warningKeys(one('  api: { command: api, nice: 5, ionice: idle }'))).toEqual(['api: nice', 'api: ionice']);
  });

  it('image: the task\'s own over --image; none at all is warned', () => {
    const r = exportOf('compose', y('tasks:', '  a: { command: a, image: "redis:7" }', '  b: { command: b }'), { image: 'node:20' });
    expect(yamlOf(r).services.a.image).toBe('redis:7');
    expect(yamlOf(r).services.b.image).toBe('node:20');
    const bare = exportOf('compose', y('tasks:', '  a: { command: a }'));
    expect(yamlOf(bare).services.a.image).toBeUndefined();
    expect(warningKeys(bare)).toEqual(['a: image']);
  });
});

describe('compose mapping of replicas', () => {
  const exported = (...lines: string[]) => exportOf('compose', y('tasks:', ...lines), { image: 'node:20' });

  it('replicas: deploy.replicas; the copies publish their ports on free host ports; a read of CORRAL_REPLICA is warned about', () => {
    const r = exported('  api:', '    command: node api.js --port $((3000 + CORRAL_REPLICA))', '    replicas: 3', '    health: { tcp: 4000 }', '  db:', '    command: db');
    const services = yamlOf(r).services;
    expect(services.api.deploy).toEqual({ replicas: 3 });
    expect(services.api.ports).toEqual(['127.0.0.1::4000']);
    expect(services.db.deploy).toBeUndefined();
    expect(warningKeys(r)).toEqual(['api: replicas', 'api: replicas']);
    expect(r.warnings.map((w) => w.message)).toEqual([
      'the copies cannot share host port 4000: each is published on a free one (docker compose port api 4000)',
      'compose gives its copies no number: CORRAL_REPLICA is unset in them',
    ]);
  });

  it('replicas: 1 and 0 are written as they are, one copy keeping its host port', () => {
    const one = yamlOf(exported('  api: { command: x, replicas: 1, health: { tcp: 4000 } }')).services.api;
    expect(one.deploy).toEqual({ replicas: 1 });
    expect(one.ports).toEqual(['127.0.0.1:4000:4000']);
    expect(yamlOf(exported('  api: { command: x, replicas: 0 }')).services.api.deploy).toEqual({ replicas: 0 });
  });

  it('docker-compose config -q accepts the copies', () => {
    const dir = folder();
    writeFileSync(join(dir, 'compose.yaml'), exported('  api: { command: x, replicas: 2, health: { tcp: 4000 } }').files[0]!.content);
    expect(validate('docker-compose', ['config', '-q'], dir)).toEqual({ code: 0, output: '' });
  });
});
