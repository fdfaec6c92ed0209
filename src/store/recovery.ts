/**
 * The one sentence that tells a user what a damaged or stale state file cost: what was
 * rebuilt from the home, and what was not. The daemon logs it, and the first client it
 * answers prints it.
 */
import type { Rebuilt } from './rebuild.js';
import type { StoreDamage } from './store.js';

/** `bash_1, bash_2 and 3 more`: a hundred ids would drown the sentence. */
function ids(list: string[]): string {
  const shown = list.slice(0, 5).join(', ');
  return list.length > 5 ? `${shown} and ${list.length - 5} more` : shown;
}

const tasks = (n: number) => `${n} task${n === 1 ? '' : 's'}`;

function cause(damage: StoreDamage | null): string {
  if (!damage) return 'the state file was behind the home';
  const kept = damage.keptAs && `kept as ${damage.keptAs}`;
  if (damage.unreadable) return `the state file could not be read (${damage.unreadable}) and ${kept ? `is ${kept}` : 'could not be kept'}`;
  const parts: string[] = [];
  const bad = [...damage.badRecords.keys()];
  if (bad.length > 0) parts.push(`${bad.length} unreadable task record${bad.length === 1 ? '' : 's'} (${ids(bad)})`);
  const repaired = damage.repaired.filter((what) => what !== 'the read cursors');
  if (repaired.length > 0) parts.push(`a damaged ${repaired.map((what) => what.replace(/^the /, '')).join(' and ')}`);
  if (damage.repaired.includes('the read cursors')) parts.push('damaged read cursors');
  return `the state file had ${parts.join(', ')} (${kept ? `a copy is ${kept}` : 'no copy could be kept'}); its other records are kept`;
}

export function describeRecovery(damage: StoreDamage | null, rebuilt: Rebuilt): string | null {
  const fromHome = rebuilt.running.length + rebuilt.ended.length + rebuilt.unknown.length;
  if (!damage && fromHome === 0 && rebuilt.found.length === 0 && rebuilt.nextId === null) return null;
  const clauses = [cause(damage)];
  const back: string[] = [];
  if (rebuilt.running.length > 0) back.push(`${tasks(rebuilt.running.length)} still running, re-adopted (${ids(rebuilt.running)})`);
  if (rebuilt.ended.length > 0) back.push(`${tasks(rebuilt.ended.length)} ended, with ${rebuilt.ended.length === 1 ? 'its' : 'their'} exit status (${ids(rebuilt.ended)})`);
  if (rebuilt.unknown.length > 0) back.push(`${tasks(rebuilt.unknown.length)} ended, exit status unknown (${ids(rebuilt.unknown)})`);
  if (back.length > 0) clauses.push(`rebuilt from the home: ${back.join(', ')} (their env-file environments and policies are not known)`);
  if (rebuilt.found.length > 0) clauses.push(`found the process of ${tasks(rebuilt.found.length)} recorded as starting (${ids(rebuilt.found)})`);
  if (damage?.unreadable && fromHome === 0) clauses.push('no task was found in the home');
  if (rebuilt.lost.length > 0) clauses.push(`lost: ${tasks(rebuilt.lost.length)} of which the home holds nothing (${ids(rebuilt.lost)})`);
  if (damage?.repaired.includes('the read cursors')) clauses.push('`logs --new` reads those tasks from the start again');
  if (rebuilt.nextId !== null) clauses.push(`new ids start at bash_${rebuilt.nextId}`);
  return `${clauses.join('; ')}.`;
}
