import { usageError, type CorralError } from '../errors.js';

/** What both zod APIs in use (v4 for env files, v3 in the daemon) give on a failure. */
interface ZodFailure {
  issues: { path: PropertyKey[]; message: string }[];
}

/** One sentence from a zod failure: the first issue, with the path of the value at fault. */
export function zodToUsage(error: ZodFailure, what: string): CorralError {
  const issue = error.issues[0]!;
  const where = issue.path.length > 0 ? ` ${issue.path.map(String).join('.')}` : '';
  return usageError(`${what}${where}: ${issue.message}`);
}
