/**
 * A part of an environment, as compose picks one: the tasks named (`up api web`) or, without
 * names, every task whose profiles are active (a task without `profiles:` always is), each
 * with what it depends on; and, to take a part down, a task with what depends on it.
 * Pure: names and edges only.
 */
import { suggestion } from './dependencies.js';

export interface PartTask {
  name: string;
  /** The names it depends on. */
  dependsOn: string[];
  /** Empty: always started. Otherwise only when one of them is active, or when named. */
  profiles: string[];
}

export class SelectionError extends Error {
  constructor(
    message: string,
    /** `task`: a name that is no task of the file (not found); `profile`: a profile no task has (bad input). */
    readonly kind: 'task' | 'profile',
  ) {
    super(message);
  }
}

/** `names` and everything they depend on, directly or not. */
function withDependencies(tasks: PartTask[], names: Iterable<string>): Set<string> {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const picked = new Set<string>();
  const stack = [...names];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (picked.has(name)) continue;
    picked.add(name);
    for (const on of byName.get(name)?.dependsOn ?? []) stack.push(on);
  }
  return picked;
}

/** Refuses a name that is no task of `tasks`, with the nearest one. */
export function checkNames(tasks: PartTask[], names: string[], where: string): void {
  const known = tasks.map((t) => t.name);
  const unknown = names.find((n) => !known.includes(n));
  if (unknown !== undefined) throw new SelectionError(`no task "${unknown}" in ${where}${suggestion(unknown, known)}`, 'task');
}

/**
 * The names of the tasks to start, in the order of `tasks`: those named, or (none named)
 * those whose profiles are active, with their dependencies whatever their profiles.
 */
export function selectPart(tasks: PartTask[], only: string[], profiles: string[], where: string): string[] {
  checkNames(tasks, only, where);
  const offered = [...new Set(tasks.flatMap((t) => t.profiles))];
  const unknownProfile = profiles.find((p) => !offered.includes(p));
  if (unknownProfile !== undefined) {
    const have = offered.length > 0 ? `: its profiles are ${offered.join(', ')}` : ': it has none';
    throw new SelectionError(`no task of ${where} has the profile "${unknownProfile}"${have}`, 'profile');
  }
  const roots = only.length > 0 ? only : tasks.filter((t) => t.profiles.length === 0 || t.profiles.some((p) => profiles.includes(p))).map((t) => t.name);
  const picked = withDependencies(tasks, roots);
  return tasks.filter((t) => picked.has(t.name)).map((t) => t.name);
}

/**
 * Every task that depends on `name`, directly or not, in dependency order (a task after
 * all of its own dependencies among them). Names not in `tasks` are skipped.
 */
export function dependentsInOrder(tasks: { name: string; dependsOn: string[] }[], name: string): string[] {
  const dependents = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of tasks) {
      if (t.name === name || dependents.has(t.name)) continue;
      if (t.dependsOn.some((d) => d === name || dependents.has(d))) {
        dependents.add(t.name);
        grew = true;
      }
    }
  }
  const order: string[] = [];
  const placed = new Set<string>([name]);
  while (order.length < dependents.size) {
    const next = tasks.find((t) => dependents.has(t.name) && !placed.has(t.name) && t.dependsOn.every((d) => !dependents.has(d) || placed.has(d)));
    if (!next) break; // a cycle: the env file's check refuses these
    order.push(next.name);
    placed.add(next.name);
  }
  return order;
}
