/** How numbers read on the page: durations, bytes, percentages, times. */

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
}

/** Uptime of a live task: from its start to now; '–' when it has not started or has ended. */
export function uptime(startedAt: string | null, endedAt: string | null, now: number): string {
  if (!startedAt || endedAt) return '–';
  return formatDuration(now - Date.parse(startedAt));
}

/** How the last run ended: `exit 1`, `SIGKILL`, with its reason. */
export function lastExit(task: { exitCode: number | null; signal: string | null; reason: string | null }): string {
  const how = task.signal ? task.signal : task.exitCode !== null ? `exit ${task.exitCode}` : '';
  // The reason often says the same as the code ("exit 0"): once is enough.
  const reason = task.reason && task.reason !== how ? task.reason : '';
  return [how, reason].filter(Boolean).join(' · ') || '–';
}
