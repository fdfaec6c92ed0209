/**
 * Task names and their scopes, as compose scopes services to a project: a task of an
 * environment is named within it (`dev/web`), a task started outside any environment
 * (`run --name`) is named in the global scope (`web`). A bare name reaches the one task
 * that carries it; when several scopes have it, it is ambiguous and the caller says which.
 * Pure: the supervisor looks tasks up through `lookUpName` only.
 */

/** A task name (and an environment name): starts with a letter, no `/`, so it never leaves its scope or becomes a path. */
export const TASK_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

/** What `TASK_NAME` asks, in words. */
export const TASK_NAME_RULE = 'a name starts with a letter and has only letters, digits, ".", "_" and "-" (at most 64)';

/** Ids are generated (`bash_12`); a name like one would make a reference mean two tasks. */
export const looksLikeTaskId = (name: string): boolean => /^bash_\d+$/.test(name);
export const ID_LIKE_RULE = 'a name cannot look like a task id (bash_N)';

/** Why `name` cannot name a task, or null when it can. */
export function taskNameProblem(name: string): string | null {
  if (!TASK_NAME.test(name)) return TASK_NAME_RULE;
  if (looksLikeTaskId(name)) return ID_LIKE_RULE;
  return null;
}

export interface NamedTask {
  id: string;
  name: string | null;
  env: string | null;
}

/** How a task is told apart from every other of the home: `dev/web`, `web` outside any environment; null without a name. */
export function qualifiedName(t: { name: string | null; env: string | null }): string | null {
  if (t.name === null) return null;
  return t.env === null ? t.name : `${t.env}/${t.name}`;
}

export type NameLookup<T> = { found: T } | { ambiguous: T[] } | { missing: true };

/**
 * The task a name refers to. `env/name` looks in that environment only; a bare name in
 * every scope (the global one and each environment's). Within a scope, the latest task of
 * the name wins (an environment's current run, the last `run --name`); across scopes, a
 * bare name is ambiguous, whatever state the tasks are in, so the same words never reach
 * another task because one of them ended. `tasks` are in the order they were created.
 */
export function lookUpName<T extends NamedTask>(tasks: readonly T[], ref: string): NameLookup<T> {
  const slash = ref.indexOf('/');
  const env = slash < 0 ? undefined : ref.slice(0, slash);
  const name = slash < 0 ? ref : ref.slice(slash + 1);
  const latestByScope = new Map<string | null, T>();
  for (const t of tasks) {
    if (t.name !== name) continue;
    if (env !== undefined && t.env !== env) continue;
    latestByScope.set(t.env, t);
  }
  const candidates = [...latestByScope.values()];
  if (candidates.length === 0) return { missing: true };
  if (candidates.length === 1) return { found: candidates[0]! };
  return { ambiguous: candidates };
}

/** A live task of the global scope that already holds `name`: `run --name` refuses to take it. */
export function globalHolder<T extends NamedTask>(tasks: readonly T[], name: string, isLive: (t: T) => boolean): T | undefined {
  return tasks.find((t) => t.env === null && t.name === name && isLive(t));
}
