/**
 * `corral export systemd`: one service unit per task (`<env>-<task>.service`, a template
 * `<env>-<task>@.service` with an instance per copy for a task with replicas) and a target
 * (`<env>.target`) that starts them all. Dependencies become Requires=/Wants= with After=;
 * one-shot steps are Type=oneshot with RemainAfterExit=, so that After= waits for their
 * exit; a task with checks is active only once they pass (a polling ExecStartPost=), so
 * that After= on it means "healthy".
 */
import type { DependencyEdge } from '../../machines/policies/dependencies.js';
import { DEFAULTS } from '../../machines/defaults.js';
import { REPLICA_VARIABLE } from '../../machines/policies/replicas.js';
import type { EnvSpec, EnvTaskDecl } from '../config/envfile/index.js';
import { systemdTimer } from './schedule.js';
import { headerLines, scheduleKey, mappableProbes, probeCommand, restartOf, spanText, stopOf, warnCorralOnly, Warnings, type ExportFile, type ExportInput, type ExportResult } from './model.js';

const unitName = (spec: EnvSpec, task: string) => `${spec.name}-${task}.service`;
const timerName = (spec: EnvSpec, task: string) => `${spec.name}-${task}.timer`;
/** What the target starts of a task: its service, or the timer of a scheduled one. */
const startedBy = (spec: EnvSpec, task: EnvTaskDecl) => (task.schedule ? timerName(spec, task.name) : unitName(spec, task.name));

/**
 * The units that run a task: its own, or for a task with replicas the instances `api@1` …
 * `api@N` of its template unit (`<env>-api@.service`), each told its number in CORRAL_REPLICA.
 */
function unitsOf(spec: EnvSpec, name: string): string[] {
  const replicas = spec.tasks.find((t) => t.name === name)?.replicas ?? null;
  if (replicas === null) return [unitName(spec, name)];
  return Array.from({ length: replicas }, (_, i) => `${spec.name}-${name}@${i + 1}.service`);
}
const fileName = (spec: EnvSpec, task: EnvTaskDecl) => (task.replicas === null ? unitName(spec, task.name) : `${spec.name}-${task.name}@.service`);
const targetName = (spec: EnvSpec) => `${spec.name}.target`;

/** `%` starts a specifier in every value of a unit. */
const noSpecifiers = (text: string): string => text.replace(/%/g, '%%');

/** One double-quoted word of a unit line: C escapes, and `%` doubled. */
function quoted(text: string): string {
  return `"${noSpecifiers(text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n'))}"`;
}

/** A shell command as ExecStart= runs it: through /bin/sh -c, as corral does, with `$` kept from systemd's own expansion. */
const shellLine = (command: string): string => `/bin/sh -c ${quoted(command).replace(/\$/g, '$$$$')}`;

/** Lines of a section, without the empty values. */
type Lines = (string | null)[];
const section = (name: string, lines: Lines): string => [`[${name}]`, ...lines.filter((l): l is string => l !== null)].join('\n');

export function exportSystemd(input: ExportInput): ExportResult {
  const warnings = new Warnings();
  const { spec } = input;
  const header = headerLines('systemd', input).map((line) => `# ${line}`);
  const files: ExportFile[] = spec.tasks.flatMap((task) => [
    { path: fileName(spec, task), content: `${[...header, '', unit(task, spec, warnings)].join('\n')}\n` },
    ...(task.schedule ? [{ path: timerName(spec, task.name), content: `${[...header, '', timer(task, spec, warnings)].join('\n')}\n` }] : []),
  ]);
  const target = [
    section('Unit', [`Description=${noSpecifiers(`${spec.name}: every task of ${input.source}`)}`, `Wants=${spec.tasks.flatMap((t) => (t.schedule ? [startedBy(spec, t)] : unitsOf(spec, t.name))).join(' ')}`]),
    section('Install', ['WantedBy=multi-user.target']),
  ];
  files.push({ path: targetName(spec), content: `${[...header, '', target.join('\n\n')].join('\n')}\n` });
  return { files, warnings: warnings.list };
}

function unit(task: EnvTaskDecl, spec: EnvSpec, warnings: Warnings): string {
  const text = [
    section('Unit', unitLines(task, spec, warnings)),
    section('Service', serviceLines(task, spec, warnings)),
    // A scheduled step is started by its timer, which the target starts.
    ...(task.schedule ? [] : [section('Install', [`WantedBy=${targetName(spec)}`])]),
  ].join('\n\n');
  warnCorralOnly(task, warnings);
  return text;
}

/**
 * The timer of a scheduled step. systemd does not start a service that still runs, so a
 * tick during a run is skipped there too.
 */
function timer(task: EnvTaskDecl, spec: EnvSpec, warnings: Warnings): string {
  const { lines, warning } = systemdTimer(task.schedule!);
  if (warning) warnings.add(task.name, scheduleKey(task), warning);
  return [
    section('Unit', [`Description=${noSpecifiers(`${spec.name}: ${task.name} on its schedule`)}`, `PartOf=${targetName(spec)}`]),
    section('Timer', [...lines, 'AccuracySec=1s', `Unit=${unitName(spec, task.name)}`]),
    section('Install', [`WantedBy=${targetName(spec)}`]),
  ].join('\n\n');
}

function unitLines(task: EnvTaskDecl, spec: EnvSpec, warnings: Warnings): Lines {
  const restart = restartOf(task);
  const byName = new Map(spec.tasks.map((t) => [t.name, t]));
  // completed: ordered after the step's exit, whatever its code (Wants= does not fail with it).
  const needs = (edges: DependencyEdge[]) => edges.flatMap((e) => unitsOf(spec, e.on)).join(' ');
  const required = task.dependsOn.filter((e) => e.condition !== 'completed');
  const wanted = task.dependsOn.filter((e) => e.condition === 'completed');
  for (const edge of task.dependsOn) {
    if ((edge.condition === 'succeeded' || edge.condition === 'completed') && byName.get(edge.on)?.background) {
      warnings.add(task.name, `depends_on.${edge.on}`, `${edge.on} is a service: systemd orders after its start, not its exit`);
    }
  }
  return [
    `Description=${noSpecifiers(`${spec.name}: ${task.name}`)}${task.replicas !== null ? ' copy %i' : ''}`,
    `PartOf=${targetName(spec)}`,
    required.length > 0 ? `Requires=${needs(required)}` : null,
    wanted.length > 0 ? `Wants=${needs(wanted)}` : null,
    task.dependsOn.length > 0 ? `After=${needs(task.dependsOn)}` : null,
    // corral allows max_restarts restarts in the window; systemd counts starts, the first one too.
    ...(restart.policy !== 'no' ? [`StartLimitIntervalSec=${spanText(restart.windowMs)}`, `StartLimitBurst=${restart.maxRestarts + 1}`] : []),
  ];
}

function serviceLines(task: EnvTaskDecl, spec: EnvSpec, warnings: Warnings): Lines {
  const stop = stopOf(task);
  const readiness = readinessOf(task, warnings);
  return [
    task.background ? 'Type=exec' : 'Type=oneshot',
    // A scheduled step must end inactive: its timer starts it again.
    task.background || task.schedule ? null : 'RemainAfterExit=yes',
    `WorkingDirectory=${noSpecifiers(task.cwd)}`,
    ...Object.entries(task.env).map(([k, v]) => `Environment=${quoted(`${k}=${v}`)}`),
    // The instance name (`api@2`) is the copy's number.
    task.replicas !== null ? `Environment=${REPLICA_VARIABLE}=%i` : null,
    `ExecStart=${shellLine(task.command)}`,
    readiness ? `ExecStartPost=${shellLine(readiness)}` : null,
    ...startTimeout(task, spec, readiness !== null),
    ...restartLines(task, warnings),
    'KillMode=control-group',
    `KillSignal=${stop.signal}`,
    `TimeoutStopSec=${spanText(stop.graceMs)}`,
    task.stopCommand !== null ? `ExecStop=${shellLine(task.stopCommand)}` : null,
    task.limits.memoryBytes !== null ? `MemoryMax=${task.limits.memoryBytes}` : null,
    task.background && task.limits.timeoutMs !== null ? `RuntimeMaxSec=${spanText(task.limits.timeoutMs)}` : null,
    task.nice !== null ? `Nice=${task.nice}` : null,
    task.ionice ? `IOSchedulingClass=${task.ionice.class}` : null,
    task.ionice && task.ionice.level !== null ? `IOSchedulingPriority=${task.ionice.level}` : null,
  ];
}

/** The checks as a wait that ends once they all pass: the unit becomes active only then. */
function readinessOf(task: EnvTaskDecl, warnings: Warnings): string | null {
  if (!task.health) return null;
  const commands = mappableProbes(task, task.health, warnings, 'systemd').map(probeCommand);
  if (task.health.liveness) warnings.add(task.name, 'health.liveness', 'systemd has no liveness checks: the check only gates the start');
  if (commands.length === 0) return null;
  return `until ${commands.join(' && ')}; do sleep ${task.health.intervalMs / 1000}; done`;
}

/**
 * How long starting may take: a one-shot step's run-time limit (RuntimeMaxSec= does not
 * apply to Type=oneshot), or a readiness wait's deadline, the longest its dependents wait.
 */
function startTimeout(task: EnvTaskDecl, spec: EnvSpec, waits: boolean): string[] {
  if (!task.background) return task.limits.timeoutMs !== null ? [`TimeoutStartSec=${spanText(task.limits.timeoutMs)}`] : [];
  if (!waits) return [];
  const waitedFor = spec.tasks.flatMap((t) => t.dependsOn.filter((e) => e.on === task.name).map((e) => e.timeoutMs));
  return [`TimeoutStartSec=${spanText(Math.max(DEFAULTS.dependencyTimeoutMs, ...waitedFor))}`];
}

function restartLines(task: EnvTaskDecl, warnings: Warnings): string[] {
  const restart = restartOf(task);
  // A one-shot step may be restarted on failure only: systemd refuses the other policies for Type=oneshot.
  const policy = restart.policy === 'unless-stopped' ? 'always' : task.background || restart.policy === 'on-failure' ? restart.policy : 'no';
  if (['factor', 'maxBackoffMs', 'minUptimeMs'].some((k) => restart.declared.has(k)) && policy !== 'no') {
    warnings.add(task.name, 'restart', 'systemd waits the same RestartSec= before every restart: factor, max_backoff and min_uptime are left out');
  }
  const extraCodes = restart.successExitCodes.filter((c) => c !== 0);
  return [
    `Restart=${policy}`,
    ...(policy !== 'no' ? [`RestartSec=${spanText(restart.backoffMs)}`] : []),
    ...(extraCodes.length > 0 ? [`SuccessExitStatus=${extraCodes.join(' ')}`] : []),
  ];
}
