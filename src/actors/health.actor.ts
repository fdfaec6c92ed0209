/**
 * The real `health` actor of the task machine: while the task runs, a round of probes
 * every interval; reports HEALTH whenever the state (or its last error) changes.
 */
import { join } from 'node:path';
import { fromCallback } from 'xstate';
import { INITIAL_HEALTH, nextHealth, type HealthProbe, type HealthState } from '../../machines/policies/health.js';
import type { HealthActorInput } from '../../machines/task.contracts.js';
import { taskLogDir, type HomePaths } from '../home.js';
import { LogProbe, runProbes } from '../health/probes.js';
import { setLongTimeout, type LongTimer } from '../long-timer.js';

export function createHealthActor(deps: { paths: HomePaths }) {
  return fromCallback<{ type: 'noop' }, HealthActorInput>(({ input, sendBack }) => {
    const spec = input.spec.health;
    if (!spec) return () => {};
    let state: HealthState = INITIAL_HEALTH;
    let timer: LongTimer | null = null;
    let stopped = false;
    const dir = taskLogDir(deps.paths, input.taskId);
    const logs = [
      { path: join(dir, 'stdout.log'), from: input.logStart.stdout },
      { path: join(dir, 'stderr.log'), from: input.logStart.stderr },
    ];
    const logProbes = new Map<HealthProbe, LogProbe>();
    const started = Date.now();

    // Until the task is first ready, probes run often (it should be seen ready the moment
    // it is), but a failure counts only once per interval, as configured.
    const fastMs = Math.min(spec.intervalMs, 100);
    let lastCounted = 0;
    const round = async () => {
      timer = null;
      const error = await runProbes(spec.probes, { cwd: input.spec.cwd, env: input.spec.env, timeoutMs: spec.timeoutMs, logs, process: input.process }, logProbes);
      if (stopped) return;
      const now = Date.now();
      const counts = error === null || state.status === 'healthy' || now - lastCounted >= spec.intervalMs;
      if (counts) {
        if (error !== null) lastCounted = now;
        const next = nextHealth(spec, state, error, now - started);
        const changed = next.status !== state.status || next.failures !== state.failures;
        state = next;
        if (changed) sendBack({ type: 'HEALTH', health: state, at: now });
      }
      timer = setLongTimeout(() => void round(), state.status === 'healthy' ? spec.intervalMs : fastMs);
    };
    void round();
    return () => {
      stopped = true;
      timer?.clear();
    };
  });
}
