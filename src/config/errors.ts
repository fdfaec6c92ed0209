import { field, usageError, type CorralError } from '../errors.js';

/** What a zod failure gives (the daemon, env files included, uses zod's v3 API). */
interface ZodFailure {
  issues: { path: PropertyKey[]; message: string }[];
}

/** One sentence from a zod failure: the first issue, naming the value at fault (a field at the top level). */
export function zodToUsage(error: ZodFailure, what?: string): CorralError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  const where = path.length === 1 ? field(path[0]!) : path.join('.');
  const prefix = [what, where].filter((p) => p).join(' ');
  return usageError(prefix ? `${prefix}: ${issue.message}` : issue.message);
}
