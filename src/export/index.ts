/**
 * `corral export`: an environment as the native files of an engine built for more than one
 * machine. Each engine is one module; they share the model of what the env file says.
 */
import { exportCompose } from './compose.js';
import { exportK8s } from './k8s.js';
import { exportSystemd } from './systemd.js';
import type { Engine, ExportInput, ExportResult } from './model.js';

export { selectTasks, warningLine, type Engine, type ExportFile, type ExportInput, type ExportResult, type ExportWarning } from './model.js';

const EXPORTERS: Record<Engine, (input: ExportInput) => ExportResult> = {
  compose: exportCompose,
  k8s: exportK8s,
  systemd: exportSystemd,
};

export function exportEnv(engine: Engine, input: ExportInput): ExportResult {
  return EXPORTERS[engine](input);
}
