/** background_status: one task in full, from the data of `corral status`. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatBytes } from '../../../machines/policies/limits.js';
import type { TaskDetails } from '../../api.js';
import type { McpContext } from '../context.js';
import { toolError } from '../errors.js';
import { restartPolicyText, taskLabel } from '../../text.js';
import { shorten, statusText, whenText } from '../format.js';
import { taskArg, type Extra } from './shared.js';
import { registerTool } from './register.js';

const DESCRIPTION = `One task in full: command, cwd, variables, session, health, last failure, ports, restarts and why, exit, CPU, memory.`;

/** A task's session, when tasks carry one (`run --session`). */
const sessionOf = (t: TaskDetails): string | null => (t as TaskDetails & { session?: string | null }).session ?? null;

function lastExitText(t: TaskDetails): string {
  if (t.signal) return `signal ${t.signal}`;
  if (t.exitCode !== null) return `exit code ${t.exitCode}`;
  return t.restarts > 0 ? 'none since its last start' : 'none yet';
}

function healthText(t: TaskDetails): string {
  const state = t.healthReason ?? t.health ?? 'unknown';
  const failure = t.lastHealthFailure && t.health !== 'unhealthy' ? `; last failure: ${t.lastHealthFailure}` : '';
  return `${state} (${t.healthChecks.join(', ')})${failure}`;
}

function detailsText(t: TaskDetails, now: number): string {
  const lines = [`${taskLabel(t)}: ${statusText(t)}`, `command: ${t.command}`, `cwd: ${t.cwd}`];
  const env = Object.entries(t.envSet).map(([k, v]) => `${k}=${shorten(v, 80)}`);
  lines.push(`env: ${env.length > 0 ? env.join(' ') : "nothing set (the caller's environment)"}`);
  if (t.env) lines.push(`environment: ${t.env}${t.dependsOn.length > 0 ? `, depends on ${t.dependsOn.join(', ')}` : ''}`);
  const session = sessionOf(t);
  if (session) lines.push(`session: ${session}`);
  if (t.healthChecks.length > 0) lines.push(`health: ${healthText(t)}`);
  lines.push(`ports: ${t.ports.length > 0 ? t.ports.join(', ') : 'none'}`);
  const history = t.restartHistory.slice(-5).map((r) => `${whenText(r.at, now)} ${r.reason}`);
  lines.push(`restarts: ${t.restarts} (policy ${restartPolicyText(t.restartPolicy, t.maxRestarts)})${history.length > 0 ? `: ${history.join('; ')}` : ''}`);
  lines.push(`last exit: ${lastExitText(t)}`);
  if (t.cpuPercent !== null || t.memoryBytes !== null) {
    const memory = t.memoryBytes === null ? '-' : `${formatBytes(t.memoryBytes)} (peak ${formatBytes(t.peakMemoryBytes ?? t.memoryBytes)})`;
    lines.push(`cpu: ${t.cpuPercent ?? '-'}%, memory: ${memory}`);
  } else if (t.peakMemoryBytes !== null) lines.push(`memory: peak ${formatBytes(t.peakMemoryBytes)}`);
  lines.push(`started: ${t.startedAt ? whenText(t.startedAt, now) : 'not yet'}${t.endedAt ? `, ended: ${whenText(t.endedAt, now)}` : ''}`);
  return lines.join('\n');
}

const dataSchema = {
  id: z.string(),
  session: z.string().optional(),
  status: z.string(),
  pid: z.number().nullable(),
  exit_code: z.number().nullable(),
  signal: z.string().nullable(),
  health: z.string().nullable(),
  cwd: z.string(),
  env_set: z.array(z.string()),
  ports: z.array(z.number()),
  restarts: z.number(),
  cpu_percent: z.number().nullable(),
  memory_bytes: z.number().nullable(),
  ended_at: z.string().nullable(),
};

export function registerStatus(server: McpServer, ctx: McpContext): void {
  registerTool(
    server,
    'background_status',
    {
      description: DESCRIPTION,
      inputSchema: { id: taskArg() },
      dataSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        const t = await ctx.withApi((api) => api.describe(args.id), extra.signal);
        const session = sessionOf(t);
        return {
          content: [{ type: 'text', text: detailsText(t, Date.now()) }],
          structuredContent: {
            id: t.id,
            ...(session ? { session } : {}),
            status: t.status,
            pid: t.pid,
            exit_code: t.exitCode,
            signal: t.signal,
            health: t.health,
            cwd: t.cwd,
            env_set: Object.keys(t.envSet),
            ports: t.ports,
            restarts: t.restarts,
            cpu_percent: t.cpuPercent,
            memory_bytes: t.memoryBytes,
            ended_at: t.endedAt,
          },
        };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
