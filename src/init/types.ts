/** What `corral init` finds in a project: tasks to write, each with the reason it was chosen. */

export type InitCondition = 'started' | 'healthy' | 'completed' | 'succeeded';

export interface InitHealth {
  tcp?: string;
  http?: string;
  exec?: string;
  log?: string;
  listen?: true;
}

export interface InitTask {
  name: string;
  command: string;
  /** Relative to the project's folder; absent = the folder itself. */
  cwd?: string;
  /** false = a one-shot step (a build, a migration): dependents wait for it to succeed. */
  background: boolean;
  env?: Record<string, string>;
  health?: InitHealth;
  depends_on?: Record<string, InitCondition>;
  /** Why this task and these settings, in words: printed by `init` and written above the task. */
  why: string;
}

export interface Detection {
  /** What was read: `package.json`, `docker-compose.yml`, `manage.py (Django)`. */
  source: string;
  tasks: InitTask[];
  /** What was seen and left out, and why: `script "test": not needed to run the project`. */
  notes: string[];
}

/** One kind of project: null when the folder is not of that kind. */
export type Detector = (dir: string) => Detection | null;
