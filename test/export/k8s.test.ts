/**
 * `corral export k8s`: golden files, every object against the API schema (kubernetes-models)
 * and the set against itself, and one test per row of the README's mapping table.
 */
import { describe, expect, it } from 'vitest';
import type { ExportResult } from '../../src/export/index.js';
import { consistencyProblems, objectsOf, schemaProblems } from './k8s-checks.js';
import { expectGolden, exportOf, GOLDEN_CASES, useExportCli, warningKeys, y } from './helpers.js';

const { run } = useExportCli();

describe.each(GOLDEN_CASES)('the Kubernetes export of %s', (name, file) => {
  it('is the golden file; every object passes its schema and the set is consistent', async () => {
    const r = await run('k8s', '-f', file, '--image', 'node:20', '--namespace', 'staging');
    expect(r.code).toBe(0);
    expectGolden(`${name}.k8s.yaml`, r.stdout);
    const objects = objectsOf(r.stdout);
    expect(objects.length).toBeGreaterThan(2);
    expect(schemaProblems(objects)).toEqual([]);
    expect(consistencyProblems(objects)).toEqual([]);
    expect(objects.every((o) => o.metadata.namespace === 'staging')).toBe(true);
  });
});

describe('the checks of a Kubernetes export', () => {
  it('find a schema violation, a Service that selects nothing and a wait for a missing Service', async () => {
    const objects = objectsOf((await run('k8s', '-f', GOLDEN_CASES[0][1], '--image', 'node:20')).stdout);
    const api = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api');
    api.spec.template.spec.containers[0].readinessProbe.periodSeconds = '1s';
    objects.find((o) => o.kind === 'Service' && o.metadata.name === 'web').spec.selector['app.kubernetes.io/name'] = 'www';
    objects.splice(objects.findIndex((o) => o.kind === 'Service' && o.metadata.name === 'db'), 1);
    expect(schemaProblems(objects)).toEqual([expect.stringMatching(/^Deployment\/api: .*periodSeconds must be integer/)]);
    expect(consistencyProblems(objects)).toEqual(['Service/web selects no pod', 'Deployment/api: wait-for-db waits for Service db, which does not exist']);
  });
});

/** The objects of one task's file. */
function objectsOfTask(result: ExportResult, task: string): any[] {
  const file = result.files.find((f) => f.path === `${task}.yaml`);
  if (!file) throw new Error(`no file of ${task} in ${result.files.map((f) => f.path).join(', ')}`);
  return objectsOf(file.content);
}

describe('Kubernetes mapping', () => {
  const exported = (...lines: string[]) => exportOf('k8s', y('name: app', 'tasks:', ...lines), { image: 'node:20' });
  const podOf = (result: ExportResult, task = 'api') => objectsOfTask(result, task)[0].spec.template.spec;
  const containerOf = (...lines: string[]) => podOf(exported(...lines)).containers[0];

  it('command: words as the command, a shell line through /bin/sh -c; $( kept from Kubernetes\' expansion', () => {
    expect(containerOf('  api: { command: node api.js }').command).toEqual(['node', 'api.js']);
    expect(containerOf('  api: { command: "echo $(date) > out" }').command).toEqual(['/bin/sh', '-c', 'echo $$(date) > out']);
  });

  it('cwd: a subfolder is entered with cd, a folder outside the project is workingDir', () => {
    expect(containerOf('  api: { command: node api.js, cwd: srv }').command).toEqual(['/bin/sh', '-c', 'cd srv && node api.js']);
    expect(containerOf('  api: { command: node api.js, cwd: /opt/api }').workingDir).toBe('/opt/api');
  });

  it('env: a list of name and value, in the order corral merges them, $( kept from Kubernetes\' expansion', () => {
    expect(containerOf('  api: { command: x, env: { B: "2", A: "1", C: "$$(id)" } }').env).toEqual([
      { name: 'B', value: '2' },
      { name: 'A', value: '1' },
      { name: 'C', value: '$$(id)' },
    ]);
  });

  it('depends_on healthy or started: an init container that waits for the Service; a service without one is warned', () => {
    const r = exported('  db: { command: db, health: { tcp: "127.0.0.1:5432" } }', '  q: { command: q }', '  api: { command: api, depends_on: { db: healthy, q: started } }');
    expect(podOf(r).initContainers).toEqual([{ name: 'wait-for-db', image: 'busybox:1.36', command: ['/bin/sh', '-c', 'until nc -z db 5432; do sleep 1; done'] }]);
    expect(warningKeys(r)).toEqual(['api: depends_on.q']);
  });

  it('depends_on a one-shot step: it runs as an init container after its own waits, and is no Job of its own; completed is warned', () => {
    const r = exported(
      '  db: { command: db, health: { tcp: 5432 } }',
      '  migrate: { command: ./migrate, background: false, depends_on: [db] }',
      '  api: { command: api, depends_on: { migrate: completed } }',
      '  report: { command: report, background: false }',
    );
    expect(podOf(r).initContainers.map((c: { name: string }) => c.name)).toEqual(['wait-for-db', 'migrate']);
    expect(r.files.map((f) => f.path)).toEqual(['db.yaml', 'api.yaml', 'report.yaml']);
    expect(objectsOfTask(r, 'report')[0].kind).toBe('Job');
    expect(warningKeys(r)).toEqual(['api: depends_on.migrate']);
  });

  it('background: false nothing waits for is a Job: restart no is Never with no retry, on-failure OnFailure with backoffLimit; timeout is activeDeadlineSeconds', () => {
    const never = objectsOfTask(exported('  api: { command: x, background: false, limits: { timeout: 90s } }'), 'api')[0];
    expect(never.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 90 });
    expect(never.spec.template.spec.restartPolicy).toBe('Never');
    const retried = objectsOfTask(exported('  api: { command: x, background: false, restart: { policy: on-failure, max_restarts: 2 } }'), 'api')[0];
    expect(retried.spec.backoffLimit).toBe(2);
    expect(retried.spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  it('health: readinessProbe (and livenessProbe with liveness: true), httpGet, tcpSocket or exec, with the timings in whole seconds', () => {
    const c = containerOf('  api: { command: x, health: { http: "https://127.0.0.1:8443/ready?deep=1", liveness: true, interval: 500ms, timeout: 3s, retries: 4, start_period: 10s } }');
    const probe = { httpGet: { path: '/ready?deep=1', port: 8443, scheme: 'HTTPS' }, initialDelaySeconds: 10, periodSeconds: 1, timeoutSeconds: 3, failureThreshold: 4 };
    expect(c.readinessProbe).toEqual(probe);
    expect(c.livenessProbe).toEqual(probe);
    expect(containerOf('  api: { command: x, health: { tcp: 6390 } }').readinessProbe.tcpSocket).toEqual({ port: 6390 });
    expect(containerOf('  api: { command: x, health: { exec: "pg_isready" } }').readinessProbe.exec).toEqual({ command: ['/bin/sh', '-c', 'pg_isready'] });
    expect(containerOf('  api: { command: x, health: { tcp: 1, file: /ready } }').readinessProbe.exec).toEqual({ command: ['/bin/sh', '-c', 'nc -z 127.0.0.1 1 && test -e /ready'] });
    expect(warningKeys(exported('  api: { command: x, health: { log: ready } }'))).toEqual(['api: health.log']);
  });

  it('ports of the checks: containerPorts and a Service that selects the pod', () => {
    const r = exported('  api: { command: x, health: { http: "http://127.0.0.1:4000/health", tcp: 9229 } }');
    const [deployment, service] = objectsOfTask(r, 'api');
    expect(deployment.spec.template.spec.containers[0].ports).toEqual([{ name: 'tcp-4000', containerPort: 4000 }, { name: 'tcp-9229', containerPort: 9229 }]);
    expect(service.spec).toEqual({ selector: deployment.spec.template.metadata.labels, ports: [{ name: 'tcp-4000', port: 4000, targetPort: 4000 }, { name: 'tcp-9229', port: 9229, targetPort: 9229 }] });
  });

  it('restart: a service is a Deployment, which restarts always: other policies and backoff are warned', () => {
    expect(objectsOfTask(exported('  api: { command: x }'), 'api')[0].kind).toBe('Deployment');
    expect(warningKeys(exported('  api: { command: x, restart: { policy: on-failure, backoff: 2s } }'))).toEqual(['api: restart', 'api: restart']);
  });

  it('stop: terminationGracePeriodSeconds and a preStop hook; a signal other than SIGTERM is warned', () => {
    const r = exported('  api: { command: x, stop: { signal: SIGINT, grace: 1500ms, command: "nginx -s quit" } }');
    expect(podOf(r).terminationGracePeriodSeconds).toBe(2);
    expect(podOf(r).containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['/bin/sh', '-c', 'nginx -s quit'] } } });
    expect(warningKeys(r)).toEqual(['api: stop.signal']);
  });

  it('limits: memory as resources.limits.memory; a service\'s timeout and idle are warned', () => {
    const r = exported('  api: { command: x, limits: { memory: 500M, timeout: 1h, idle: 1m } }');
    expect(podOf(r).containers[0].resources).toEqual({ limits: { memory: '500Mi' } });
    expect(warningKeys(r)).toEqual(['api: limits.timeout', 'api: limits.idle']);
  });

  it('nice and ionice: warned', () => {
    expect(warningKeys(exported('  api: { command: x, nice: 3, ionice: idle }'))).toEqual(['api: nice', 'api: ionice']);
  });

  it('image: the task\'s own over --image; none is warned, also for a step that runs as an init container', () => {
    const r = exportOf('k8s', y('tasks:', '  m: { command: m, background: false }', '  api: { command: x, image: "redis:7", depends_on: [m] }'));
    expect(podOf(r).containers[0].image).toBe('redis:7');
    expect(podOf(r).initContainers[0].image).toBeUndefined();
    expect(warningKeys(r)).toEqual(['m: image']);
  });

  it('names: task names become DNS labels; --namespace is checked', () => {
    expect(objectsOfTask(exported('  My_API.v2: { command: x }'), 'my-api-v2')[0].metadata.name).toBe('my-api-v2');
    expect(() => exportOf('k8s', y('tasks:', '  a: { command: x }'), { namespace: 'Staging' })).toThrow('"Staging" is not a namespace');
    expect(() => exportOf('k8s', y('tasks:', '  a_b: { command: x }', '  a-b: { command: y }'))).toThrow('tasks a_b and a-b would both be the Kubernetes object a-b');
    const long = `a${'b'.repeat(63)}`;
    expect(() => exportOf('k8s', y('tasks:', `  ${long}: { command: x }`))).toThrow(`task ${long} would be the Kubernetes object ${long}, longer than the 63 characters of a name: shorten it`);
  });
});

describe('Kubernetes mapping of replicas', () => {
  const exported = (...lines: string[]) => exportOf('k8s', y('name: app', 'tasks:', ...lines), { image: 'node:20' });

  it('replicas: the Deployment\'s replicas; a read of CORRAL_REPLICA is warned about', () => {
    const r = exported('  api: { command: "node api.js --port $((3000 + CORRAL_REPLICA))", replicas: 3 }', '  db: { command: db }');
    expect(objectsOfTask(r, 'api')[0].spec.replicas).toBe(3);
    expect(objectsOfTask(r, 'db')[0].spec.replicas).toBe(1);
    expect(r.warnings.filter((w) => w.key === 'replicas').map((w) => `${w.task}: ${w.message}`)).toEqual(["api: a Deployment's pods have no number: CORRAL_REPLICA is unset in them"]);
    expect(objectsOfTask(exported('  api: { command: x, replicas: 0 }'), 'api')[0].spec.replicas).toBe(0);
  });

  it('replicas of a one-shot step are left out, with a warning', () => {
    const r = exported('  step: { command: x, background: false, replicas: 2 }');
    expect(objectsOfTask(r, 'step')[0].kind).toBe('Job');
    expect(r.warnings.filter((w) => w.key === 'replicas').map((w) => `${w.task}: ${w.message}`)).toEqual(['step: a one-shot step runs once in Kubernetes: replicas is left out']);
  });
});
