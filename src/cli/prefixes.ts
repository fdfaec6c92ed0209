/**
 * The prefix that says whose line it is, when several tasks' output shares a screen
 * (`up`, `logs --env`): the task's name padded to the longest, coloured in a terminal, a bar.
 */
import { taskName } from '../text.js';

type Named = { id: string; name: string | null };

const PALETTE = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92];

export interface Prefixes {
  /** Width of the names: status lines written beside the output line up with it. */
  width: number;
  /** `api    | ` (coloured when asked), by task id. */
  of: Map<string, string>;
}

/** Each task's prefix, its colour by its place in `tasks`. Two tasks of one name are told apart by id. */
export function linePrefixes(tasks: readonly Named[], color: boolean): Prefixes {
  const names = tasks.map(taskName);
  const labels = names.map((n, i) => (names.indexOf(n) !== names.lastIndexOf(n) ? `${n} ${tasks[i]!.id}` : n));
  const width = Math.max(0, ...labels.map((l) => l.length));
  const of = new Map(
    tasks.map((t, i) => {
      const label = labels[i]!.padEnd(width);
      return [t.id, color ? `\u001b[${PALETTE[i % PALETTE.length]}m${label} |\u001b[0m ` : `${label} | `];
    }),
  );
  return { width, of };
}
