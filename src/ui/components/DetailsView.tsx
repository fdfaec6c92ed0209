/**
 * One task in full: what it runs and where, how it is doing (status and reason, runtime,
 * exit, restarts, health and its last failure, CPU and memory with sparklines), then the
 * last lines of its stdout and any stderr, fitted to the height it is given.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { counted } from '../../../machines/counted.js';
import { formatBytes } from '../../../machines/policies/limits.js';
import { isFinal } from '../../../machines/task.types.js';
import type { TaskDetails, TaskView } from '../../api.js';
import { clip, exitText, restartPolicyText, uptimeText } from '../../text.js';
import { clockTime, cpuText, fit, HEALTH_COLOR, memText, pidText, restartSuffix, STATUS_COLOR } from '../format.js';
import { DETAILS_TAIL_LINES } from '../live.js';
import { Sparkline } from './Sparkline.js';
import { Line, tint } from './Text.js';

interface DetailsViewProps {
  /** What the list knows: shown at once, before the details arrive. */
  task: TaskView;
  details: TaskDetails | null;
  stdout: string[];
  stderr: string[];
  width: number;
  height: number;
  now: number;
  color: boolean;
  error?: string | null;
}

/** Label column, after a one-space margin. */
const LABEL = 10;
const SPARK = 24;

interface Field {
  label: string;
  value: string;
  color?: string | undefined;
  spark?: { values: number[]; color?: string | undefined };
}

function detailFields(task: TaskView, details: TaskDetails | null, now: number): Field[] {
  const t = details ?? task;
  const fields: Field[] = [];
  const suffix = restartSuffix(t, now);
  const final = isFinal(t.status);
  fields.push({ label: 'status', value: [t.status, !final && t.reason ? `— ${t.reason}` : '', suffix].filter(Boolean).join(' '), color: STATUS_COLOR[t.status] });
  fields.push({ label: 'command', value: t.command });
  fields.push({ label: 'cwd', value: t.cwd });
  if (t.env) fields.push({ label: 'env', value: t.env + (t.dependsOn.length > 0 ? `  (depends on ${t.dependsOn.join(', ')})` : '') });
  const runtime = t.startedAt ? `${uptimeText(t, now)}  (started ${clockTime(t.startedAt)}${t.endedAt ? `, ended ${clockTime(t.endedAt)}` : ''})` : 'not started';
  fields.push({ label: 'runtime', value: `${runtime}   pid ${pidText(t)}` });
  const exit = exitText(t);
  fields.push({ label: 'exit', value: [exit, final && t.reason && t.reason !== exit ? `— ${t.reason}` : ''].filter(Boolean).join(' ') });
  let restarts = String(t.restarts);
  if (details) {
    restarts += `  (policy ${restartPolicyText(details.restartPolicy, details.maxRestarts)})`;
    const lastRestart = details.restartHistory[details.restartHistory.length - 1];
    if (lastRestart) restarts += `  last ${clockTime(lastRestart.at)}: ${lastRestart.reason}`;
  }
  fields.push({ label: 'restarts', value: restarts });
  if (details?.schedule) {
    const { every, cron, nextRunAt, history } = details.schedule;
    const runs = history.filter((e) => e.kind === 'run').length;
    const skips = history.length - runs;
    const next = nextRunAt ? `next run ${clockTime(nextRunAt)}` : 'no next run';
    fields.push({ label: 'schedule', value: `${every !== null ? `every ${every}` : `cron ${cron}`}  ${next}  (last ${counted(runs, 'run')}, ${counted(skips, 'skip')})` });
  }
  const checks = details && details.healthChecks.length > 0 ? `  [${details.healthChecks.join(', ')}]` : '';
  fields.push({
    label: 'health',
    value: t.health === null ? 'no check' : `${t.healthReason ?? t.health}${checks}`,
    color: t.health ? HEALTH_COLOR[t.health] : undefined,
  });
  const samples = details?.samples ?? [];
  // The history is drawn only next to a current value: a finished task has none.
  fields.push({ label: 'cpu', value: cpuText(t), ...(t.cpuPercent !== null ? { spark: { values: samples.map((s) => s.cpuPercent), color: 'green' } } : {}) });
  const peak = details?.peakMemoryBytes;
  fields.push({
    label: 'memory',
    value: memText(t) + (t.memoryBytes !== null && peak != null ? ` (peak ${formatBytes(peak)})` : ''),
    ...(t.memoryBytes !== null ? { spark: { values: samples.map((s) => s.memoryBytes), color: 'cyan' } } : {}),
  });
  if (details && details.ports.length > 0) fields.push({ label: 'listening', value: details.ports.map((p) => `:${p}`).join(' ') });
  const alert = details?.alerts[details.alerts.length - 1];
  if (alert) fields.push({ label: 'alert', value: `${clockTime(alert.at)} ${alert.stream}: ${alert.line}`, color: 'red' });
  return fields;
}

export function DetailsView({ task, details, stdout, stderr, width, height, now, color, error }: DetailsViewProps) {
  let fields = detailFields(task, details, now);
  const lines: ReactNode[] = [];
  if (error) fields = [{ label: 'error', value: error, color: 'red' }, ...fields];
  // Fields first; what is left goes to the output, stdout before stderr.
  const fieldRows = Math.min(fields.length, height);
  const left = height - fieldRows;
  const hasErr = stderr.length > 0;
  let errRows = 0;
  let outRows = 0;
  if (left >= 2) {
    if (hasErr && left >= 4) {
      errRows = Math.min(stderr.length, Math.max(1, Math.floor((left - 2) / 3)));
      outRows = Math.min(DETAILS_TAIL_LINES, left - 2 - errRows);
    } else outRows = Math.min(DETAILS_TAIL_LINES, left - 1);
  }
  for (const f of fields.slice(0, fieldRows)) {
    const valueWidth = Math.max(1, width - LABEL - 2);
    const sparkWidth = f.spark ? Math.min(SPARK, Math.max(0, valueWidth - f.value.length - 2)) : 0;
    lines.push(
      <Text key={`f:${f.label}`} wrap="truncate-end">
        <Text bold>{` ${fit(f.label, LABEL)} `}</Text>
        <Text {...(tint(color, f.color) ? { color: tint(color, f.color)! } : {})}>{clip(f.value, valueWidth)}</Text>
        {f.spark && sparkWidth > 0 && f.spark.values.length > 0 ? (
          <>
            <Text>{'  '}</Text>
            <Sparkline values={f.spark.values} width={sparkWidth} color={tint(color, f.spark.color)} />
          </>
        ) : null}
      </Text>,
    );
  }
  if (outRows > 0) {
    const shown = stdout.slice(-outRows);
    lines.push(
      <Line key="h:out" bold color={tint(color, 'blue')}>
        {` ── stdout, last ${counted(outRows, 'line')} ${'─'.repeat(Math.max(0, width - 29))}`}
      </Line>,
    );
    if (shown.length === 0) lines.push(<Line key="o:none" dim>{' (no output)'}</Line>);
    shown.forEach((l, i) => lines.push(<Line key={`o:${i}`}>{` ${l}`}</Line>));
  }
  if (errRows > 0) {
    lines.push(
      <Line key="h:err" bold color={tint(color, 'red')}>
        {` ── stderr ${'─'.repeat(Math.max(0, width - 12))}`}
      </Line>,
    );
    stderr.slice(-errRows).forEach((l, i) => lines.push(<Line key={`e:${i}`}>{` ${l}`}</Line>));
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      {lines.slice(0, height)}
    </Box>
  );
}
