/**
 * Cron expressions, read by croner (5 or 6 fields, the seconds first when there are 6, and
 * nicknames like @hourly), in the machine's local time as cron reads them.
 */
import { Cron } from 'croner';
import type { CronNext } from '../../machines/policies/schedule.js';

const OPTIONS = { mode: '5-or-6-parts' } as const;

/** Why `expression` is not a cron expression, or null when it is one. */
export function cronProblem(expression: string): string | null {
  try {
    new Cron(expression, OPTIONS);
    return null;
  } catch (error) {
    const why = (error as Error).message.replace(/^CronPattern: /, '');
    return `"${expression}" is not a cron expression (${why}): write 5 fields like "*/5 * * * *", 6 with seconds first, or @hourly`;
  }
}

/** The first date after `after` that the expression names (see machines/policies/schedule.ts). */
export const cronNext: CronNext = (expression, after) => new Cron(expression, OPTIONS).nextRun(new Date(after))?.getTime() ?? null;
