/**
 * The shapes the dashboard's API answers with (docs/dashboard-api.md): the parts the page
 * reads of src/api.ts's TaskView and the routes' answers. Written out here because the page
 * compiles on its own (web/tsconfig.json, for the browser) and cannot import from src/;
 * test/web/contract.test.ts holds them to the server's types at `npm run typecheck`.
 */
export interface Task {
  id: string;
  name: string | null;
  env: string | null;
  command: string;
  status: string;
  reason: string | null;
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  restarts: number;
  health: 'unknown' | 'healthy' | 'unhealthy' | null;
  healthReason: string | null;
  dependsOn: string[];
  startedAt: string | null;
  endedAt: string | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  /** TCP ports its tree listens on (running tasks). */
  ports?: number[];
}

export interface EnvEdge {
  from: string;
  to: string;
  condition: string;
}

export interface Env {
  name: string;
  file: string | null;
  tasks: string[];
  edges: EnvEdge[];
}

export interface LogWindow {
  stream: string;
  start: number;
  end: number;
  size: number;
  kept?: number;
  text: string;
  lines?: { offset: number; text: string }[];
}

export interface JournalEvent {
  seq: number;
  at: string;
  type: 'state' | 'health' | 'alert';
  id: string;
  name: string | null;
  env: string | null;
  status?: string;
  reason?: string | null;
  exitCode?: number | null;
  signal?: string | null;
  endedAt?: string | null;
  health?: string;
  line?: string;
}
