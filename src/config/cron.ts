/**
 * Cron expressions, read by croner (5 or 6 fields, the seconds first when there are 6, and
 * nicknames like @hourly), in the machine's local time as cron reads them. croner is
 * loaded on the first expression, not with the daemon: most daemons never see one.
 */
import { createRequire } from 'node:module';
import type * as CronerModule from 'croner';
import type { CronNext } from '../../machines/policies/schedule.js';

const OPTIONS = { mode: '5-or-6-parts' } as const;

let croner: typeof CronerModule | null = null;
const cron = (expression: string) => {
  croner ??= createRequire(import.meta.url)('croner') as typeof CronerModule;
  return new croner.Cron(expression, OPTIONS);
};

/** Why `expression` is not a cron expression, or null when it is one. */
export function cronProblem(expression: string): string | null {
  try {
    cron(expression);
    return null;
  } catch (error) {
    const why = (error as Error).message.replace(/^CronPattern: /, '');
    return `"${expression}" is not a cron expression (${why}): write 5 fields like "*/5 * * * *", 6 with seconds first, or @hourly`;
  }
}

/** The first date after `after` that the expression names (see machines/policies/schedule.ts). */
export const cronNext: CronNext = (expression, after) => cron(expression).nextRun(new Date(after))?.getTime() ?? null;
