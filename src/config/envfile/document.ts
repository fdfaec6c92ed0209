/**
 * A YAML env file: corral.yaml (`tasks:`) or a workflow (`steps:`). The document is parsed
 * with its positions, its values expanded, and handed to its format. Reads nothing: the
 * caller's environment and the `env_file:` contents come in through the options.
 */
import { parseTasksFile } from './compose.js';
import { plainValues } from './guards.js';
import { interpolate } from './interpolate.js';
import { parseLocated } from './located.js';
import type { EnvSpec, ParseOptions } from './spec.js';
import { parseWorkflow } from './workflow.js';

export function parseEnvYaml(file: string, text: string, options: ParseOptions = {}): EnvSpec {
  const loc = parseLocated(file, text);
  const plain = plainValues(loc);
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    loc.fail([], 'an env file is a mapping with "tasks:" (or "steps:" for a workflow)');
  }
  const raw = interpolate(plain, options.callerEnv ?? {}, loc);
  if ('steps' in (raw as object)) return parseWorkflow(loc, raw, options);
  return parseTasksFile(loc, raw, options);
}
