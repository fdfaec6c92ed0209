/**
 * An env file's tasks with `replicas: N`, as the tasks that run: N copies `api.1` … `api.N`,
 * each with its number in CORRAL_REPLICA. Dependents keep their edge to `api`: the
 * supervisor judges it on the whole group (see supervisor/dependencies.ts). A group of
 * none is nothing to wait for, so edges to it go.
 */
import { REPLICA_VARIABLE, replicaName } from '../../machines/policies/replicas.js';
import type { EnvTaskDecl } from './envfile/index.js';

/** The copies of `decl`, or `decl` itself when it has no `replicas:`. */
function copiesOf(decl: EnvTaskDecl): EnvTaskDecl[] {
  if (decl.replicas === null) return [decl];
  return Array.from({ length: decl.replicas }, (_, i) => copyOf(decl, i + 1));
}

/** Copy number `index` of `decl`. */
function copyOf(decl: EnvTaskDecl, index: number): EnvTaskDecl {
  return { ...decl, name: replicaName(decl.name, index), env: { ...decl.env, [REPLICA_VARIABLE]: String(index) }, replica: { of: decl.name, index } };
}

/** `decls` with every replicated task as its copies, and no edge to a group of none. */
export function expandReplicas(decls: EnvTaskDecl[]): EnvTaskDecl[] {
  if (decls.every((d) => d.replicas === null)) return decls;
  const none = new Set(decls.filter((d) => d.replicas === 0).map((d) => d.name));
  return decls.flatMap((decl) => {
    const kept = none.size > 0 && decl.dependsOn.some((e) => none.has(e.on)) ? { ...decl, dependsOn: decl.dependsOn.filter((e) => !none.has(e.on)) } : decl;
    return copiesOf(kept);
  });
}

/** An environment with its tasks (all, and the part asked for) expanded into replicas. */
export function withReplicas<T extends { tasks: EnvTaskDecl[]; part: EnvTaskDecl[] }>(env: T): T {
  return { ...env, tasks: expandReplicas(env.tasks), part: expandReplicas(env.part) };
}
