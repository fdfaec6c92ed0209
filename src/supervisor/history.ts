/**
 * What a task went through that its record does not keep: its recent alerts (from its
 * alert rule and its idle limit) and its last restarts with their reasons, for `status`.
 * Alerts also go to the event log, where `monitor`, the UI and the MCP server see them.
 */
import type { TaskRecord } from '../../machines/task.types.js';
import { AlertWatcher } from '../policies/alerts.js';
import type { EventLog } from './events.js';
import { eventSubject } from './records.js';

export interface Alert {
  at: string;
  stream: string;
  line: string;
}

export interface HistoryHost {
  events: EventLog;
  now(): number;
  record(id: string): TaskRecord | undefined;
  logDir(id: string): string;
}

export class TaskHistory {
  private readonly watchers = new Map<string, AlertWatcher>();
  private readonly alerts = new Map<string, Alert[]>();
  private readonly restarts = new Map<string, { at: string; reason: string }[]>();

  constructor(private readonly host: HistoryHost) {}

  raiseAlert(id: string, rule: string, line: string, stream = 'output'): void {
    const record = this.host.record(id);
    if (!record) return;
    const at = new Date(this.host.now()).toISOString();
    this.alerts.set(id, [...(this.alerts.get(id) ?? []), { at, stream, line }].slice(-20));
    this.host.events.push({ type: 'alert', ...eventSubject(record), stream, line, rule });
  }

  /** Watches the task's output for its alert rule (from now on: older lines never alert). */
  watchAlerts(record: TaskRecord): void {
    this.watchers.get(record.id)?.close();
    this.watchers.delete(record.id);
    const rule = record.spec.alertOn;
    if (!rule) return;
    const watcher = new AlertWatcher(this.host.logDir(record.id), rule, (hit) => this.raiseAlert(record.id, rule, hit.line, hit.stream));
    this.watchers.set(record.id, watcher);
  }

  /** The home was made anew: each alert rule watches its task's new log folder. */
  rewatchAlerts(): void {
    for (const watcher of this.watchers.values()) watcher.rewatch();
  }

  isWatching(id: string): boolean {
    return this.watchers.has(id);
  }

  /** New output may be there (a sample tick, the task starting): the alert rule reads on. */
  checkAlerts(id: string): void {
    this.watchers.get(id)?.check();
  }

  noteRestart(record: TaskRecord): void {
    if (record.status !== 'restarting' || !record.reason) return;
    const at = new Date(this.host.now()).toISOString();
    this.restarts.set(record.id, [...(this.restarts.get(record.id) ?? []), { at, reason: record.reason }].slice(-10));
  }

  alertsOf(id: string): Alert[] {
    return this.alerts.get(id) ?? [];
  }

  restartsOf(id: string): { at: string; reason: string }[] {
    return this.restarts.get(id) ?? [];
  }

  forget(id: string): void {
    this.watchers.get(id)?.close();
    this.watchers.delete(id);
    this.alerts.delete(id);
    this.restarts.delete(id);
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}
