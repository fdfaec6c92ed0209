/**
 * `corral export k8s`: a Deployment per service (with a Service for the ports its checks
 * name), a Job per one-shot step nothing waits for. A one-shot step others need runs as an
 * init container of each of their pods, after its own waits; waiting for a service is an
 * init container that polls its Service, which only answers once a pod of it is ready.
 */
import type { HealthProbe, HealthSpec } from '../../machines/policies/health.js';
import type { EnvSpec, EnvTaskDecl } from '../config/envfile/index.js';
import { field, usageError } from '../errors.js';
import { chosenImage, containerCommand, headerLines, scheduleKey, imageOf, mappableProbes, portsOf, probeCommand, probePort, readsReplicaNumber, restartOf, stopOf, warnCorralOnly, wholeSeconds, Warnings, type ExportFile, type ExportInput, type ExportResult } from './model.js';
import { yamlText } from './yaml.js';
import { cronJobSchedule } from './schedule.js';

/** The image of the init containers that wait for a Service: small, and with an `nc` that knows -z. */
export const WAIT_IMAGE = 'busybox:1.36';

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A task name as a Kubernetes object name (a DNS label): lower case, `_` and `.` as `-`. */
export const objectName = (task: string): string => task.toLowerCase().replace(/[_.]/g, '-').replace(/-+$/, '');

type Obj = Record<string, unknown>;

interface Context {
  input: ExportInput;
  warnings: Warnings;
  byName: Map<string, EnvTaskDecl>;
  /** One-shot steps some task depends on: they run as init containers, not as Jobs. */
  needed: Set<string>;
}

export function exportK8s(input: ExportInput): ExportResult {
  const { spec } = input;
  checkNames(spec, input.namespace);
  const ctx: Context = {
    input,
    warnings: new Warnings(),
    byName: new Map(spec.tasks.map((t) => [t.name, t])),
    // A scheduled step is a CronJob of its own, whatever depends on it.
    needed: new Set(spec.tasks.flatMap((t) => t.dependsOn.map((e) => e.on)).filter((name) => spec.tasks.find((t) => t.name === name && !t.schedule)?.background === false)),
  };
  const header = headerLines('k8s', input);
  const files: ExportFile[] = [];
  for (const task of spec.tasks) {
    warnTask(task, ctx);
    if (!task.background && ctx.needed.has(task.name)) continue;
    const objects = task.background ? [deployment(task, ctx), ...service(task, ctx)] : task.schedule ? [cronJob(task, ctx)] : [job(task, ctx)];
    const content = objects.map((o, i) => yamlText(i === 0 ? header : [], o)).join('---\n');
    files.push({ path: `${objectName(task.name)}.yaml`, content });
  }
  return { files, warnings: ctx.warnings.list };
}

/** Refuses a namespace or task names Kubernetes cannot take (or that would become the same object name). */
function checkNames(spec: EnvSpec, namespace: string | undefined): void {
  if (namespace !== undefined && !DNS_LABEL.test(namespace)) throw usageError(`${field('namespace')}: "${namespace}" is not a namespace: lower-case letters, digits and "-", starting with a letter, at most 63`);
  const seen = new Map<string, string>();
  for (const t of spec.tasks) {
    const name = objectName(t.name);
    if (!DNS_LABEL.test(name)) throw usageError(`task ${t.name} would be the Kubernetes object ${name}, longer than the 63 characters of a name: shorten it`);
    const other = seen.get(name);
    if (other !== undefined) throw usageError(`tasks ${other} and ${t.name} would both be the Kubernetes object ${name}: rename one`);
    seen.set(name, t.name);
  }
}

function metadata(task: EnvTaskDecl, ctx: Context): Obj {
  return { name: objectName(task.name), ...(ctx.input.namespace ? { namespace: ctx.input.namespace } : {}), labels: labels(task, ctx) };
}

/** The labels of a task's objects and pods; a Service selects its pods by them. */
function labels(task: EnvTaskDecl, ctx: Context): Record<string, string> {
  // A label value has at most 63 characters, as a name does; an environment's name may have 64.
  return { 'app.kubernetes.io/name': objectName(task.name), 'app.kubernetes.io/part-of': objectName(ctx.input.spec.name).slice(0, 63).replace(/-+$/, '') };
}

function deployment(task: EnvTaskDecl, ctx: Context): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(task, ctx),
    spec: {
      replicas: task.replicas ?? 1,
      selector: { matchLabels: labels(task, ctx) },
      template: { metadata: { labels: labels(task, ctx) }, spec: podSpec(task, ctx, 'Always') },
    },
  };
}

function job(task: EnvTaskDecl, ctx: Context): Obj {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: metadata(task, ctx), spec: jobSpec(task, ctx) };
}

/** A scheduled step: `Forbid` skips a tick while the last Job still runs, as corral does. */
function cronJob(task: EnvTaskDecl, ctx: Context): Obj {
  const { value, warning } = cronJobSchedule(task.schedule!);
  if (warning) ctx.warnings.add(task.name, scheduleKey(task), warning);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: metadata(task, ctx),
    spec: { schedule: value, concurrencyPolicy: 'Forbid', jobTemplate: { metadata: { labels: labels(task, ctx) }, spec: jobSpec(task, ctx) } },
  };
}

function jobSpec(task: EnvTaskDecl, ctx: Context): Obj {
  const restart = restartOf(task);
  const onFailure = restart.policy === 'on-failure';
  return {
    backoffLimit: onFailure ? restart.maxRestarts : 0,
    ...(task.limits.timeoutMs !== null ? { activeDeadlineSeconds: wholeSeconds(task.limits.timeoutMs, 1) } : {}),
    template: { metadata: { labels: labels(task, ctx) }, spec: podSpec(task, ctx, onFailure ? 'OnFailure' : 'Never') },
  };
}

function service(task: EnvTaskDecl, ctx: Context): Obj[] {
  const ports = portsOf(task);
  if (ports.length === 0) return [];
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(task, ctx),
      spec: { selector: labels(task, ctx), ports: ports.map((port) => ({ name: `tcp-${port}`, port, targetPort: port })) },
    },
  ];
}

function podSpec(task: EnvTaskDecl, ctx: Context, restartPolicy: string): Obj {
  const init = initContainers(task, ctx);
  return {
    ...(init.length > 0 ? { initContainers: init } : {}),
    containers: [container(task, ctx, true)],
    restartPolicy,
    terminationGracePeriodSeconds: wholeSeconds(stopOf(task).graceMs),
  };
}

/** Kubernetes expands `$(NAME)` in a container's command and env values: `$$(` keeps the text as written. */
const literal = (word: string): string => word.replace(/\$\(/g, '$$$$(');

/** A task's container: as the main one of its pod (with checks and ports), or as an init container. */
function container(task: EnvTaskDecl, ctx: Context, main: boolean): Obj {
  const command = containerCommand(ctx.input.spec, task);
  const image = chosenImage(task, ctx.input);
  const c: Obj = { name: objectName(task.name) };
  if (image) c.image = image;
  c.command = command.argv.map(literal);
  if (command.workingDir) c.workingDir = command.workingDir;
  if (Object.keys(task.env).length > 0) c.env = Object.entries(task.env).map(([name, value]) => ({ name, value: literal(value) }));
  if (main) {
    const ports = portsOf(task);
    if (ports.length > 0) c.ports = ports.map((containerPort) => ({ name: `tcp-${containerPort}`, containerPort }));
    const probe = task.health ? probeOf(task, task.health, ctx) : null;
    if (probe) {
      c.readinessProbe = probe;
      if (task.health!.liveness) c.livenessProbe = probe;
    }
    if (task.stopCommand !== null) c.lifecycle = { preStop: { exec: { command: ['/bin/sh', '-c', task.stopCommand] } } };
  }
  if (task.limits.memoryBytes !== null) c.resources = { limits: { memory: quantity(task.limits.memoryBytes) } };
  return c;
}

/** Bytes as a Kubernetes quantity: `512Mi`, `1Gi`, or the plain number. */
function quantity(bytes: number): string {
  for (const [suffix, size] of [['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) if (bytes % size === 0) return `${bytes / size}${suffix}`;
  return String(bytes);
}

/** One probe: a single check as Kubernetes' own handler; several as one exec of all their commands. */
function probeOf(task: EnvTaskDecl, health: HealthSpec, ctx: Context): Obj | null {
  const probes = mappableProbes(task, health, ctx.warnings, 'Kubernetes');
  if (probes.length === 0) return null;
  const handler = probes.length === 1 ? handlerOf(probes[0]!) : { exec: { command: ['/bin/sh', '-c', probes.map(probeCommand).join(' && ')] } };
  return {
    ...handler,
    ...(health.startPeriodMs > 0 ? { initialDelaySeconds: wholeSeconds(health.startPeriodMs) } : {}),
    periodSeconds: wholeSeconds(health.intervalMs, 1),
    timeoutSeconds: wholeSeconds(health.timeoutMs, 1),
    failureThreshold: health.retries,
  };
}

function handlerOf(probe: HealthProbe): Obj {
  if (probe.kind === 'http') {
    const url = new URL(probe.url);
    return { httpGet: { path: `${url.pathname}${url.search}`, port: probePort(probe)!, ...(url.protocol === 'https:' ? { scheme: 'HTTPS' } : {}) } };
  }
  if (probe.kind === 'tcp') return { tcpSocket: { port: probe.port } };
  return { exec: { command: ['/bin/sh', '-c', probeCommand(probe)!] } };
}

/**
 * What must happen before a task's container starts, in order: for each dependency, a wait
 * for a service's Service, or a one-shot step run in place (after what it needs itself).
 */
function initContainers(task: EnvTaskDecl, ctx: Context): Obj[] {
  const list: Obj[] = [];
  const added = new Set<string>();
  const add = (name: string, make: () => Obj) => {
    if (added.has(name)) return;
    added.add(name);
    list.push(make());
  };
  const visit = (t: EnvTaskDecl) => {
    for (const edge of t.dependsOn) {
      const dep = ctx.byName.get(edge.on)!;
      const key = `depends_on.${edge.on}`;
      if (!dep.background) {
        if (edge.condition === 'completed') ctx.warnings.add(t.name, key, 'an init container must succeed: Kubernetes waits for the step to succeed');
        visit(dep);
        add(objectName(dep.name), () => container(dep, ctx, false));
        continue;
      }
      const ports = portsOf(dep);
      if (edge.condition === 'succeeded' || edge.condition === 'completed') ctx.warnings.add(t.name, key, `${dep.name} is a service: Kubernetes cannot wait for its exit, so it is not waited for`);
      else if (ports.length === 0) ctx.warnings.add(t.name, key, `${dep.name} has no port in its checks, hence no Service to wait for: not waited for`);
      else add(`wait-for-${objectName(dep.name)}`, () => waitFor(dep, ports[0]!));
    }
  };
  visit(task);
  return list;
}

/** An init container that ends once the Service of `dep` answers, which it does only once a pod of it is ready. */
function waitFor(dep: EnvTaskDecl, port: number): Obj {
  const host = objectName(dep.name);
  return { name: `wait-for-${host}`, image: WAIT_IMAGE, command: ['/bin/sh', '-c', `until nc -z ${host} ${port}; do sleep 1; done`] };
}

/** What a task's keys lose on Kubernetes, said once per task. */
function warnTask(task: EnvTaskDecl, ctx: Context): void {
  const w = (key: string, message: string) => ctx.warnings.add(task.name, key, message);
  imageOf(task, ctx.input, ctx.warnings);
  const restart = restartOf(task);
  if (task.background && restart.declared.has('policy') && restart.policy !== 'always' && restart.policy !== 'unless-stopped') w('restart', `a Deployment restarts its container always, not "${restart.policy}"`);
  if (['backoffMs', 'maxBackoffMs', 'factor', 'minUptimeMs', 'windowMs'].some((k) => restart.declared.has(k)) || (task.background && restart.declared.has('maxRestarts'))) {
    w('restart', "Kubernetes restarts with its own backoff: backoff and restart window are left out (a Job's max_restarts is its backoffLimit)");
  }
  if (restart.declared.has('successExitCodes')) w('restart.success_exit_codes', 'Kubernetes counts only exit 0 as success');
  if (stopOf(task).signal !== 'SIGTERM') w('stop.signal', `Kubernetes stops a container with SIGTERM (or the image's STOPSIGNAL): ${stopOf(task).signal} is left out`);
  if (task.limits.timeoutMs !== null && (task.background || ctx.needed.has(task.name))) w('limits.timeout', 'only a Job has a deadline (activeDeadlineSeconds): left out');
  if (task.nice !== null) w('nice', 'Kubernetes has no nice level: left out (set it in the command)');
  if (!task.background && task.replicas !== null && task.replicas !== 1) w('replicas', 'a one-shot step runs once in Kubernetes: replicas is left out');
  if (task.background && task.replicas !== null && readsReplicaNumber(task)) w('replicas', "a Deployment's pods have no number: CORRAL_REPLICA is unset in them");
  if (task.ionice !== null) w('ionice', 'Kubernetes has no I/O class: left out');
  if (!task.background && ctx.needed.has(task.name)) {
    if (task.health) w('health', 'a one-shot step runs as an init container, which has no checks: left out');
    if (task.stopCommand !== null) w('stop.command', 'a one-shot step runs as an init container, which has no preStop hook: left out');
  }
  warnCorralOnly(task, ctx.warnings);
}
