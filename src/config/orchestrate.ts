/**
 * The input of `orchestrate` as an EnvSpec: an env file, through the loader, or ad-hoc
 * tasks (`--background "npm run api" --background "npm run dev"`), checked here.
 */
import { DEFAULTS } from '../../machines/defaults.js';
import type { OrchestrateInput } from '../api.js';
import { usageError } from '../errors.js';
import type { EnvSpec } from './envfile/index.js';
import { taskNameProblem, TASK_NAME, TASK_NAME_RULE } from '../../machines/policies/names.js';
import { parseHealthFlags } from './normalize.js';

export async function normalizeOrchestrate(input: OrchestrateInput): Promise<EnvSpec> {
  // An environment's name scopes its tasks' names (`dev/web`): no `/` in it, whatever the source.
  if (input.name !== undefined && !TASK_NAME.test(input.name)) throw usageError(`"${input.name}" is not an environment name: ${TASK_NAME_RULE}`);
  // The env-file loader (yaml and its schemas) is loaded only by the daemons that read env files.
  const envfile = await import('./envfile/index.js');
  if (input.file) return envfile.loadEnvFileAside(input.file, { callerEnv: input.callerEnv ?? {}, ...(input.name ? { name: input.name } : {}) });
  return inlineEnv(input, envfile);
}

function inlineEnv(input: OrchestrateInput, { slug, plainTask }: typeof import('./envfile/index.js')): EnvSpec {
  if (!input.name) throw usageError(`"" is not an environment name: ${TASK_NAME_RULE}`);
  if (!input.tasks || input.tasks.length === 0) throw usageError('an environment needs an env file (-f) or at least one --background command');
  const given = new Set(input.tasks.map((t) => t.name).filter((n): n is string => n !== undefined));
  for (const t of input.tasks) {
    const problem = t.name === undefined ? null : taskNameProblem(t.name);
    if (problem) throw usageError(`"${t.name}" is not a task name: ${problem}`);
    for (const on of t.dependsOn ?? []) {
      if (!given.has(on)) throw usageError(`task ${t.name ?? t.command} depends on "${on}", which is not one of the tasks given`);
    }
  }
  const cwd = input.cwd ?? process.cwd();
  const names = new Set<string>();
  return {
    name: input.name,
    file: null,
    tasks: input.tasks.map((t) => {
      // Unnamed: after the command's first words, numbered when two commands read alike.
      const base = t.name ?? slug(t.command.split(/\s+/).slice(0, 3).join(' '));
      let name = base;
      for (let n = 2; names.has(name); n++) name = `${base}-${n}`;
      names.add(name);
      return {
        ...plainTask(name, t.command, cwd),
        dependsOn: (t.dependsOn ?? []).map((on) => ({ on, condition: 'started' as const, timeoutMs: DEFAULTS.dependencyTimeoutMs })),
        health: parseHealthFlags(t.health),
      };
    }),
  };
}
