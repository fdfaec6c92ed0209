/**
 * The input of `orchestrate` as an EnvSpec: an env file, through the loader, or ad-hoc
 * tasks (`--background "npm run api" --background "npm run dev"`), checked here.
 */
import { DEPENDENCY_CONDITIONS, edgesOf, isDependencyCondition, validateGraph } from '../../machines/policies/dependencies.js';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { InlineTask, OrchestrateInput } from '../api.js';
import { field, usageError } from '../errors.js';
import type { EnvSpec, EnvTaskDecl } from './envfile/index.js';
import { plainTask, slug } from './envfile/spec.js';
import { taskNameProblem, TASK_NAME, TASK_NAME_RULE } from '../../machines/policies/names.js';
import { parseHealthFlags } from './normalize.js';

export async function normalizeOrchestrate(input: OrchestrateInput): Promise<EnvSpec> {
  // An environment's name scopes its tasks' names (`dev/web`): no `/` in it, whatever the source.
  if (input.name !== undefined && !TASK_NAME.test(input.name)) throw usageError(`"${input.name}" is not an environment name: ${TASK_NAME_RULE}`);
  // The env-file reader (yaml and its schemas) runs in a process of its own: see envfile/aside.ts.
  if (input.file) {
    const { loadEnvFileAside } = await import('./envfile/aside.js');
    const spec = await loadEnvFileAside(input.file, { callerEnv: input.callerEnv ?? {}, ...(input.name ? { name: input.name } : {}) });
    return input.cwd === undefined ? spec : rebased(spec, input.file, input.cwd);
  }
  return inlineEnv(input);
}

/**
 * A file run for another folder (a template, run in the project): the folders its tasks
 * name relative to the file's own are taken relative to `cwd` instead.
 */
function rebased(spec: EnvSpec, file: string, cwd: string): EnvSpec {
  const base = dirname(file);
  return {
    ...spec,
    tasks: spec.tasks.map((t) => {
      const inside = relative(base, t.cwd);
      return inside.startsWith('..') || isAbsolute(inside) ? t : { ...t, cwd: resolve(cwd, inside) };
    }),
  };
}

/**
 * Ad-hoc tasks, checked and normalised as an env file's are: the same default conditions
 * of `depends_on`, and the same graph check (unknown task, cycle, `healthy` without a check).
 */
function inlineEnv(input: OrchestrateInput): EnvSpec {
  if (!input.name) throw usageError(`"" is not an environment name: ${TASK_NAME_RULE}`);
  if (!input.tasks || input.tasks.length === 0) throw usageError('an environment needs an env file (-f) or at least one --background command');
  const given = input.tasks;
  for (const t of given) {
    const problem = t.name === undefined ? null : taskNameProblem(t.name);
    if (problem) throw usageError(`"${t.name}" is not a task name: ${problem}`);
  }
  const names = taskNames(given);
  const cwd = input.cwd ?? process.cwd();
  const tasks: EnvTaskDecl[] = given.map((t, i) => ({ ...plainTask(names[i]!, t.command, cwd), health: parseHealthFlags(t.health) }));
  const targets = new Map(tasks.map((t) => [t.name, { background: t.background, hasHealthCheck: t.health !== null }]));
  given.forEach((t, i) => {
    const declared = (t.dependsOn ?? []).map((d, j) => {
      if (typeof d === 'string') return { on: d };
      if (d.condition !== undefined && !isDependencyCondition(d.condition)) {
        throw usageError(`${field(`tasks[${i}].dependsOn[${j}].condition`)}: "${d.condition}" is not one of ${DEPENDENCY_CONDITIONS.join(', ')}`);
      }
      return { on: d.name, condition: d.condition };
    });
    tasks[i]!.dependsOn = edgesOf(declared, (on) => targets.get(on));
  });
  const problem = validateGraph(
    tasks.map((t) => ({ name: t.name, dependsOn: t.dependsOn, hasHealthCheck: t.health !== null })),
    1,
    'one of the tasks given',
  )[0];
  if (problem) throw usageError(`${field(`tasks[${names.indexOf(problem.task)}].dependsOn`)}: ${problem.task} ${problem.message}`);
  return { name: input.name, file: null, tasks };
}

/**
 * Each task's name: the one given (a name given twice is refused, as a file's map has each
 * key once), else one after the command's first words, numbered when two read alike. Given
 * names are taken first, so a dependency on one never lands on a task named after its command.
 */
function taskNames(tasks: InlineTask[]): string[] {
  const taken = new Map<string, number>();
  tasks.forEach((t, i) => {
    if (t.name === undefined) return;
    const first = taken.get(t.name);
    if (first !== undefined) throw usageError(`${field(`tasks[${i}].name`)}: "${t.name}" is the name of tasks[${first}] too`);
    taken.set(t.name, i);
  });
  return tasks.map((t) => {
    if (t.name !== undefined) return t.name;
    const base = slug(t.command.split(/\s+/).slice(0, 3).join(' '));
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    taken.set(name, -1);
    return name;
  });
}
