/**
 * The order of a merge by time (`logs --env`): several sources, each in time order, come
 * out as one. The source with the earliest next line goes first, and goes on for as long
 * as its lines come before every other source's next one; on a tie the earlier source wins,
 * so lines of one time keep the order of their sources (task by task, stdout before stderr).
 */

/** One source's turn: it gives its lines up to `until` (and those at `until` too when `inclusive`). */
export interface Turn {
  source: number;
  until: number;
  inclusive: boolean;
}

/**
 * Whose turn it is, given each source's next line time (`undefined`: the source has no
 * line left). Null when every source is done.
 */
export function nextTurn(heads: readonly (number | undefined)[]): Turn | null {
  let source = -1;
  for (let i = 0; i < heads.length; i++) {
    const t = heads[i];
    if (t !== undefined && (source < 0 || t < heads[source]!)) source = i;
  }
  if (source < 0) return null;
  // The earliest of the others: the turn ends before it (or at it, when it comes later in order).
  let other = -1;
  for (let i = 0; i < heads.length; i++) {
    const t = heads[i];
    if (i !== source && t !== undefined && (other < 0 || t < heads[other]!)) other = i;
  }
  if (other < 0) return { source, until: Number.POSITIVE_INFINITY, inclusive: true };
  return { source, until: heads[other]!, inclusive: source < other };
}

/** Whether a line at `time` still belongs to the turn. */
export const inTurn = (turn: Turn, time: number): boolean => time < turn.until || (turn.inclusive && time === turn.until);
