/**
 * A task's schedule in the engines' notations: systemd's OnCalendar= (or OnUnitActiveSec=
 * for `every`) and a Kubernetes CronJob's 5-field cron. What an engine cannot say exactly
 * comes back as a warning with the nearest it can.
 */
import { formatDuration } from '../../machines/duration.js';
import type { ScheduleSpec } from '../../machines/policies/schedule.js';

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The fields of a cron expression, seconds first (`0` when it has 5). */
function cronFields(expression: string): string[] {
  const text = expression.trim();
  const words = (NICKNAMES[text.toLowerCase()] ?? text).split(/\s+/);
  return words.length === 5 ? ['0', ...words] : words;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

class Untranslatable extends Error {}

/** A value of a field: a number, or a month or weekday name (`jan`, `MON`). */
const TOKEN = '(\\d+|[A-Za-z]{3})';
const STEP_FROM = new RegExp(`^${TOKEN}/(\\d+)$`);
const RANGE = new RegExp(`^${TOKEN}-${TOKEN}$`);
const VALUE = new RegExp(`^${TOKEN}$`);

/** One numeric cron field as systemd writes it: `*`, `5`, `1..5`, `0/15`, lists of those. */
const number = (v: string) => {
  if (!/^\d+$/.test(v)) throw new Untranslatable(v);
  return v;
};

function calendarField(field: string, first: number, name = number): string {
  if (field === '*' || field === '?') return '*';
  return field
    .split(',')
    .map((part) => {
      const step = /^\*\/(\d+)$/.exec(part);
      if (step) return `${first}/${step[1]}`;
      const from = STEP_FROM.exec(part);
      if (from) return `${name(from[1]!)}/${from[2]}`;
      const range = RANGE.exec(part);
      if (range) return `${name(range[1]!)}..${name(range[2]!)}`;
      if (VALUE.test(part)) return name(part);
      throw new Untranslatable(part);
    })
    .join(',');
}

const monthNumber = (v: string) => {
  if (/^\d+$/.test(v)) return v;
  const index = MONTHS.indexOf(v.toLowerCase());
  if (index < 0) throw new Untranslatable(v);
  return String(index + 1);
};
const dayName = (v: string) => {
  if (!/^\d+$/.test(v)) {
    const day = DAYS.find((d) => d.toLowerCase() === v.toLowerCase());
    if (!day) throw new Untranslatable(v);
    return day;
  }
  const day = DAYS[Number(v) % 7];
  if (day === undefined) throw new Untranslatable(v);
  return day;
};

export type Translated = { value: string; warning: string | null };

/** systemd's timer lines for a schedule; a cron expression it cannot say is a warning, with no timer line. */
export function systemdTimer(spec: ScheduleSpec): { lines: string[]; warning: string | null } {
  if ('every' in spec) return { lines: ['OnActiveSec=0', `OnUnitActiveSec=${formatDuration(spec.every)}`], warning: null };
  const [sec, min, hour, dom, mon, dow] = cronFields(spec.cron);
  try {
    const days = dow === '*' || dow === '?' ? '' : `${calendarField(dow!, 0, dayName)} `;
    const calendar = `${days}*-${calendarField(mon!, 1, monthNumber)}-${calendarField(dom!, 1)} ${calendarField(hour!, 0)}:${calendarField(min!, 0)}:${calendarField(sec!, 0)}`;
    // cron runs when either day field matches, systemd when both do.
    const both = days !== '' && dom !== '*' && dom !== '?';
    return { lines: [`OnCalendar=${calendar}`], warning: both ? 'cron runs on either the day of month or the weekday, systemd on days that are both' : null };
  } catch (error) {
    if (!(error instanceof Untranslatable)) throw error;
    return { lines: [], warning: `systemd has no calendar form for "${error.message}" in "${spec.cron}": write OnCalendar= in the timer by hand` };
  }
}

/** A CronJob's schedule: 5 fields, to the minute; `every` as the nearest cron that divides the hour or the day. */
export function cronJobSchedule(spec: ScheduleSpec): Translated {
  if ('cron' in spec) {
    const fields = cronFields(spec.cron);
    const [sec, ...rest] = fields;
    return { value: rest.join(' '), warning: sec === '0' ? null : `Kubernetes schedules to the minute: the seconds field "${sec}" is left out` };
  }
  const minutes = spec.every / 60_000;
  const nearest = (options: number[], n: number) => options.reduce((a, b) => (Math.abs(b - n) < Math.abs(a - n) ? b : a));
  const approx = (value: string) => ({ value, warning: `Kubernetes schedules by cron, to the minute: every ${formatDuration(spec.every)} becomes "${value}"` });
  if (minutes < 60) {
    const m = nearest([1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30], minutes);
    const value = m === 1 ? '* * * * *' : `*/${m} * * * *`;
    return m === minutes ? { value, warning: null } : approx(value);
  }
  const h = nearest([1, 2, 3, 4, 6, 8, 12, 24], minutes / 60);
  const value = h === 24 ? '0 0 * * *' : h === 1 ? '0 * * * *' : `0 */${h} * * *`;
  return h === minutes / 60 ? { value, warning: null } : approx(value);
}
