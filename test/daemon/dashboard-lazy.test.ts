/**
 * The daemon loads the dashboard only when asked: no module of src/dashboard/ is reached
 * by static imports from what every daemon loads as it starts (daemon/main.js, and the
 * server and supervisor it imports then). Read from the build, as the daemon runs it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const DIST = join(ROOT, 'dist/src');
const STATIC = /^\s*(?:import|export)\b[^;'"]*?(?:from\s*)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Every file of the build reached from `roots` by static imports alone. */
function staticClosure(roots: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC)) queue.push(resolve(dirname(file), m[1]!));
  }
  return seen;
}

it('reaches no dashboard module from what the daemon loads as it starts, and reaches it from the dashboard method', () => {
  const reached = staticClosure(['daemon/main.js', 'daemon/server.js', 'supervisor/supervisor.js'].map((f) => join(DIST, f)));
  // The walk follows imports: the methods table and the supervisor's parts are in it.
  expect(reached.has(join(DIST, 'daemon/methods.js'))).toBe(true);
  expect(reached.has(join(DIST, 'supervisor/environments.js'))).toBe(true);
  expect([...reached].filter((f) => f.includes('/dashboard/'))).toEqual([]);
  expect(readFileSync(join(DIST, 'daemon/methods.js'), 'utf8')).toContain("import('../dashboard/server.js')");
});
