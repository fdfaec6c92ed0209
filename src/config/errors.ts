import type { z } from 'zod';
import { usageError, type CorralError } from '../errors.js';

/** One sentence from a zod failure: the first issue, with the path of the value at fault. */
export function zodToUsage(error: z.ZodError, what: string): CorralError {
  const issue = error.issues[0]!;
  const where = issue.path.length > 0 ? ` ${issue.path.join('.')}` : '';
  return usageError(`${what}${where}: ${issue.message}`);
}
