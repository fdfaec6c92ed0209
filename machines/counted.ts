/** A count with its noun in agreement: `1 task`, `2 tasks`, `0 tasks`. Every front end words counts with it. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
