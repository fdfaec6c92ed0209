/**
 * `corral export compose`: one `compose.yaml` whose services are the env file's tasks.
 * Dependencies become `depends_on` conditions, checks a `healthcheck` run in the container,
 * one-shot steps services that are not restarted and that dependents wait to see succeed.
 */
import type { DependencyCondition } from '../../machines/policies/dependencies.js';
import type { EnvTaskDecl } from '../config/envfile/index.js';
import {
  containerCommand,
  headerLines,
  imageOf,
  mappableProbes,
  portsOf,
  probeCommand,
  readsReplicaNumber,
  restartOf,
  spanText,
  stopOf,
  scheduleKey,
  warnCorralOnly,
  Warnings,
  type ExportInput,
  type ExportResult,
} from './model.js';
import { yamlText } from './yaml.js';

/** Compose reads `$` in every value as its own interpolation: `$$` is a literal one. */
const literal = (text: string): string => text.replace(/\$/g, '$$$$');

const CONDITIONS: Record<DependencyCondition, string> = {
  started: 'service_started',
  healthy: 'service_healthy',
  succeeded: 'service_completed_successfully',
  completed: 'service_completed_successfully',
};

export function exportCompose(input: ExportInput): ExportResult {
  const warnings = new Warnings();
  const services: Record<string, unknown> = {};
  for (const task of input.spec.tasks) services[task.name] = service(task, input, warnings);
  // No top-level `name:`: compose files before the Compose Specification's last revisions (docker-compose 1.x) refuse it.
  const content = yamlText(headerLines('compose', input), { services });
  return { files: [{ path: 'compose.yaml', content }], warnings: warnings.list };
}

function service(task: EnvTaskDecl, input: ExportInput, warnings: Warnings): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  const image = imageOf(task, input, warnings);
  if (image) s.image = image;
  const command = containerCommand(input.spec, task);
  s.command = command.argv.map(literal);
  if (command.workingDir) s.working_dir = command.workingDir;
  if (Object.keys(task.env).length > 0) s.environment = Object.fromEntries(Object.entries(task.env).map(([k, v]) => [k, literal(v)]));
  if (task.dependsOn.length > 0) {
    s.depends_on = Object.fromEntries(
      task.dependsOn.map((edge) => {
        if (edge.condition === 'completed') warnings.add(task.name, `depends_on.${edge.on}`, 'compose has no "exited with any code": it waits for the step to succeed');
        return [edge.on, { condition: CONDITIONS[edge.condition] }];
      }),
    );
  }
  const ports = portsOf(task);
  const copies = task.replicas !== null && task.replicas !== 1;
  // Published on the host's loopback, where the checks (and the developer) reached them under corral;
  // copies cannot all have the same host port: each gets a free one.
  if (ports.length > 0) s.ports = ports.map((p) => (copies ? `127.0.0.1::${p}` : `127.0.0.1:${p}:${p}`));
  if (copies && ports.length > 0) warnings.add(task.name, 'replicas', `the copies cannot share host port ${ports.join(', ')}: each is published on a free one (docker compose port ${task.name} ${ports[0]})`);
  if (task.replicas !== null) {
    s.deploy = { replicas: task.replicas };
    if (readsReplicaNumber(task)) warnings.add(task.name, 'replicas', 'compose gives its copies no number: CORRAL_REPLICA is unset in them');
  }
  const healthcheck = healthcheckOf(task, warnings);
  if (healthcheck) s.healthcheck = healthcheck;
  s.restart = restartPolicy(task, warnings);
  const stop = stopOf(task);
  s.stop_signal = stop.signal;
  s.stop_grace_period = spanText(stop.graceMs);
  if (task.limits.memoryBytes !== null) s.mem_limit = task.limits.memoryBytes;
  warnUnmapped(task, warnings);
  return s;
}

function healthcheckOf(task: EnvTaskDecl, warnings: Warnings): Record<string, unknown> | null {
  if (!task.health) return null;
  const commands = mappableProbes(task, task.health, warnings, 'compose').map(probeCommand);
  if (commands.length === 0) return null;
  if (task.health.liveness) warnings.add(task.name, 'health.liveness', 'compose marks the container unhealthy but does not restart it');
  return {
    test: ['CMD-SHELL', literal(commands.join(' && '))],
    interval: spanText(task.health.intervalMs),
    timeout: spanText(task.health.timeoutMs),
    retries: task.health.retries,
    start_period: spanText(task.health.startPeriodMs),
  };
}

/** A one-shot step is restarted at most on failure (its dependents wait for its success); a service keeps its policy. */
function restartPolicy(task: EnvTaskDecl, warnings: Warnings): string {
  const restart = restartOf(task);
  const tuned = ['backoffMs', 'maxBackoffMs', 'factor', 'minUptimeMs', 'maxRestarts', 'windowMs'].filter((k) => restart.declared.has(k));
  if (tuned.length > 0 && restart.policy !== 'no') warnings.add(task.name, 'restart', 'compose restarts with the Docker engine\'s own delays and no limit: backoff and restart limit are left out');
  if (restart.declared.has('successExitCodes')) warnings.add(task.name, 'restart.success_exit_codes', 'compose counts only exit 0 as success');
  return task.background || restart.policy === 'on-failure' ? restart.policy : 'no';
}

function warnUnmapped(task: EnvTaskDecl, warnings: Warnings): void {
  if (task.schedule) warnings.add(task.name, scheduleKey(task), 'compose has no schedules: the step runs once, as the project comes up (export systemd or k8s for a timer or a CronJob)');
  if (task.stopCommand !== null) warnings.add(task.name, 'stop.command', 'compose stops with the signal only: the stop command is left out');
  if (task.limits.timeoutMs !== null) warnings.add(task.name, 'limits.timeout', 'compose has no run-time limit: left out');
  if (task.nice !== null) warnings.add(task.name, 'nice', 'compose has no nice level: left out (set it in the command)');
  if (task.ionice !== null) warnings.add(task.name, 'ionice', 'compose has no I/O class: left out');
  warnCorralOnly(task, warnings);
}
