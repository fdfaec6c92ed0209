/**
 * The workflow format agent users write: `steps:` in order, each a named command. A step runs
 * in the foreground unless `background: true`, and without `depends_on` it waits for the
 * foreground step before it; `monitor: true` asks for a watched, restarted service.
 */
import { dirname, resolve } from 'node:path';
import { DEFAULTS } from '../../../machines/defaults.js';
import { suggestion, type DependencyEdge } from '../../../machines/policies/dependencies.js';
import { ID_LIKE_RULE, looksLikeTaskId } from '../../../machines/policies/names.js';
import { checkGraph, healthOf } from './compose.js';
import { zodFailure, type Located } from './located.js';
import { workflowKeys, workflowSchema } from './schema.js';
import { defaultEnvName, plainTask, slug, type EnvSpec, type EnvTaskDecl, type LoadOptions } from './spec.js';

const WORKFLOW_ALERTS = '[Ee]rror|ERROR|[Ff]ailed|FAILED|[Ee]xception|EXCEPTION';

/** The EnvSpec of a workflow, from its document (`raw`, variables expanded) at `loc`. */
export function parseWorkflow(loc: Located, raw: unknown, options: LoadOptions): EnvSpec {
  const parsed = workflowSchema.safeParse(raw);
  if (!parsed.success) zodFailure(loc, parsed.error, workflowKeys);
  const data = parsed.data;
  const base = dirname(loc.file);
  const shared = data.env ?? {};
  const byStepName = new Map<string, string>();
  // Task name → its step, so that an edge finds its target without a walk over every step.
  const stepOf = new Map<string, (typeof data.steps)[number]>();
  data.steps.forEach((step, i) => {
    const name = slug(step.name);
    if (looksLikeTaskId(name)) loc.fail(['steps', i, 'name'], `"${step.name}" would name the task ${name}: ${ID_LIKE_RULE}`);
    if (stepOf.has(name)) loc.fail(['steps', i, 'name'], `two steps are named "${step.name}"`);
    byStepName.set(step.name, name);
    stepOf.set(name, step);
  });
  let previousForeground: string | null = null;
  const tasks: EnvTaskDecl[] = data.steps.map((step, i) => {
    const name = byStepName.get(step.name)!;
    const background = step.background ?? false;
    let dependsOn: DependencyEdge[];
    if (step.depends_on) {
      dependsOn = step.depends_on.map((dep, j) => {
        const target = byStepName.get(dep) ?? (stepOf.has(dep) ? dep : undefined);
        if (!target) {
          loc.fail(['steps', i, 'depends_on', j], `depends on "${dep}", which is not a step of this file${suggestion(dep, [...byStepName.keys()])}`);
        }
        const targetStep = stepOf.get(target)!;
        const condition: DependencyEdge['condition'] = targetStep.background ? (targetStep.health ? 'healthy' : 'started') : 'succeeded';
        return { on: target, condition, timeoutMs: DEFAULTS.dependencyTimeoutMs };
      });
    } else {
      // Steps without depends_on run in file order: each waits for the previous foreground step.
      dependsOn = previousForeground ? [{ on: previousForeground, condition: 'succeeded', timeoutMs: DEFAULTS.dependencyTimeoutMs }] : [];
    }
    if (!background) previousForeground = name;
    return {
      ...plainTask(name, step.command, step.cwd ? resolve(base, step.cwd) : base),
      env: { ...shared, ...(step.env ?? {}) },
      background,
      dependsOn,
      health: step.health ? healthOf(loc, ['steps', i, 'health'], step.health) : null,
      // `monitor: true` asks for a watched service: alert on error lines, restart it when it fails.
      restart: step.monitor ? { policy: 'on-failure' } : {},
      alertOn: step.monitor ? WORKFLOW_ALERTS : null,
    };
  });
  checkGraph(loc, tasks, (name) => ['steps', tasks.findIndex((t) => t.name === name)]);
  return { name: options.name ?? slug(data.name ?? defaultEnvName(loc.file)), file: loc.file, tasks };
}
