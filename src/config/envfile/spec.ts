/** What an env file becomes, whatever its format: an EnvSpec of plain, validated task declarations. */
import { basename, dirname } from 'node:path';
import type { DependencyEdge } from '../../../machines/policies/dependencies.js';
import type { HealthSpec } from '../../../machines/policies/health.js';
import { NO_LIMITS, type IoPriority, type Limits } from '../../../machines/policies/limits.js';
import type { RestartPolicy } from '../../../machines/task.types.js';
import type { WatchSpec } from '../../../machines/policies/watch.js';
import type { ScheduleSpec } from '../../../machines/policies/schedule.js';
import type { ReplicaOf } from '../../../machines/policies/replicas.js';

export interface EnvTaskDecl {
  name: string;
  command: string;
  cwd: string;
  /** Variables the file sets for this task (shared, then the task's own); the caller's environment goes under them. */
  env: Record<string, string>;
  background: boolean;
  dependsOn: DependencyEdge[];
  health: HealthSpec | null;
  restart: Partial<RestartPolicy>;
  stopSignal: string | null;
  graceMs: number | null;
  stopCommand: string | null;
  output: 'separate' | 'combined';
  nice: number | null;
  ionice: IoPriority | null;
  limits: Limits;
  alertOn: string | null;
  /** `logs.max_size` in bytes, 0 for `off`; null for the home's default. */
  logMaxBytes: number | null;
  color: boolean;
  /** The container image of an export (`image:`); corral runs the command on this machine and ignores it. */
  image: string | null;
  watch: WatchSpec | null;
  /** A one-shot step run on a schedule (`schedule:` or `every:`). */
  schedule: ScheduleSpec | null;
  /** `pipe`: `send` writes to its stdin. */
  stdin: 'pipe' | null;
  /** `replicas: N`: N copies named `NAME.1` … `NAME.N`; null for one task named NAME. */
  replicas: number | null;
  /** Set on each copy once the environment's tasks are expanded into their replicas (see config/replicas.ts). */
  replica?: ReplicaOf;
  /** Started only when one is active (`--profile`), or when named; empty: always. */
  profiles: string[];
}

export interface EnvSpec {
  name: string;
  file: string | null;
  tasks: EnvTaskDecl[];
}

export interface LoadOptions {
  /** The caller's environment, for ${VAR} expansion. */
  callerEnv?: Record<string, string | undefined>;
  /** Overrides the file's `name:`. */
  name?: string;
}

/**
 * The contents of the `.env` file at an absolute path, or undefined when there is none.
 * Parsing reads no file itself: the loader passes one that reads the disk, tests pass a map.
 */
export type ReadEnvFile = (path: string) => string | undefined;

export interface ParseOptions extends LoadOptions {
  /** Where `env_file:` entries are read from; without it, every one is missing. */
  readEnvFile?: ReadEnvFile;
}

/** A task with every setting at its default: what a Procfile line or a bare command declares. */
export function plainTask(name: string, command: string, cwd: string): EnvTaskDecl {
  return {
    name,
    command,
    cwd,
    env: {},
    background: true,
    dependsOn: [],
    health: null,
    restart: {},
    stopSignal: null,
    graceMs: null,
    stopCommand: null,
    output: 'separate',
    nice: null,
    ionice: null,
    limits: NO_LIMITS,
    alertOn: null,
    logMaxBytes: null,
    color: false,
    image: null,
    watch: null,
    schedule: null,
    profiles: [],
    stdin: null,
    replicas: null,
  };
}

/** An environment without a name is named after the folder of its file. */
export function defaultEnvName(file: string): string {
  const folder = basename(dirname(file)).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z]+/, '').slice(0, 64);
  return folder || 'env';
}

/** "Start Frontend" → "start-frontend": step names (and ad-hoc commands) become task names. */
export function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(s) ? s.slice(0, 64) : `step-${s}`.slice(0, 64);
}
