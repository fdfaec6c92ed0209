/**
 * The resume token of a background_wait that returned before its condition was met: the
 * task, the condition, how far the logs were searched and when the whole wait ends. The
 * model hands it back as it got it, so a new call goes on exactly where the last one
 * stopped (no log line is searched twice or skipped), even from a restarted server. It is
 * data, not a secret: it is checked field by field, and one that is not ours is refused.
 */
import type { WaitFrom } from '../api.js';
import { parseWaitCondition } from '../config/wait.js';
import { TASK_ID } from '../home.js';
import { argumentError } from './errors.js';

export interface WaitPlace {
  id: string;
  until: string;
  /** A log wait's offsets: where the next search starts. */
  from?: { stdout: number; stderr: number };
  /** When the whole wait ends (ms since the epoch). */
  deadline: number;
}

const PREFIX = 'w1.';

export function encodeResume(place: WaitPlace): string {
  return PREFIX + Buffer.from(JSON.stringify(place)).toString('base64url');
}

const offset = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

export function decodeResume(token: string): WaitPlace & { from: WaitFrom | undefined } {
  const refuse = () => argumentError('resume', 'this is not a token background_wait gave: pass the resume value of its last reply as it is, or call it without resume');
  if (!token.startsWith(PREFIX)) throw refuse();
  let place: Partial<WaitPlace>;
  try {
    place = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (typeof place !== 'object' || place === null) throw refuse();
  const { id, until, from, deadline } = place;
  if (typeof id !== 'string' || !TASK_ID.test(id) || typeof until !== 'string' || typeof deadline !== 'number' || !Number.isFinite(deadline)) throw refuse();
  if (from !== undefined && (typeof from !== 'object' || from === null || !offset(from.stdout) || !offset(from.stderr))) throw refuse();
  try {
    parseWaitCondition(until);
  } catch {
    throw refuse();
  }
  return { id, until, from: from === undefined ? undefined : { stdout: from.stdout, stderr: from.stderr }, deadline };
}
