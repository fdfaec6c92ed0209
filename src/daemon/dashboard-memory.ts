/**
 * That the home's daemon serves the dashboard, and on which port, kept in
 * `<home>/dashboard.json` (mode 0600): the next daemon of the home (after `corral daemon
 * stop`, a crash, a new version) serves it again on that port as it starts, so that a page
 * left open finds its server at the same address, with the same token (the home's secret),
 * and its event stream resumes after the last event it saw. Small and free of the
 * dashboard's modules: every daemon reads it as it starts.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const dashboardMemoryPath = (home: string): string => join(home, 'dashboard.json');

/** The port the dashboard was last served on, or null when it never was (or the file says nothing usable). */
export function rememberedDashboardPort(home: string): number | null {
  let text: string;
  try {
    text = readFileSync(dashboardMemoryPath(home), 'utf8');
  } catch {
    return null;
  }
  try {
    const port = (JSON.parse(text) as { port?: unknown }).port;
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
  } catch {
    return null;
  }
}

/** Notes the port served on (written only when it changed, whole or not at all). */
export function rememberDashboard(home: string, port: number): void {
  if (rememberedDashboardPort(home) === port) return;
  const path = dashboardMemoryPath(home);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ port })}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
