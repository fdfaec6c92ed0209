/**
 * Settings of a whole home, from `<home>/corral.config.json`: the log cap every task gets
 * unless it sets its own (`logMaxSize`), and how many finished tasks are kept and for how
 * long (`retention: { maxEnded, maxAge }`). Read when the supervisor opens; a bad value is
 * reported by name and the default is used, so that a typo never keeps the daemon down.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../machines/defaults.js';
import { parseLogCap } from '../../machines/policies/limits.js';
import type { Retention } from '../../machines/policies/retention.js';
import { parseDuration } from '../../machines/duration.js';

export interface HomeSettings {
  /** Bytes each task log keeps on disk; 0 for no cap. */
  logMaxBytes: number;
  retention: Retention;
}

export function readHomeSettings(home: string, warn: (why: string) => void = () => {}): HomeSettings {
  const path = join(home, 'corral.config.json');
  const settings: HomeSettings = { logMaxBytes: DEFAULTS.logMaxBytes, retention: { ...DEFAULTS.retention } };
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`${path}: not valid JSON (${(error as Error).message}): using the defaults`);
    return settings;
  }
  const value = data?.logMaxSize;
  if (typeof value === 'string' || typeof value === 'number') {
    try {
      settings.logMaxBytes = parseLogCap(value);
    } catch (error) {
      warn(`${path}: logMaxSize: ${(error as Error).message}: using ${DEFAULTS.logMaxBytes / 1024 / 1024}M`);
    }
  } else if (value !== undefined) warn(`${path}: logMaxSize must be a size like "200M", or "off": using the default`);
  const retention = data?.retention as Record<string, unknown> | undefined;
  if (retention !== undefined && (typeof retention !== 'object' || retention === null)) warn(`${path}: retention must be an object like { "maxEnded": 200, "maxAge": "7d" }: using the defaults`);
  else if (retention) {
    const { maxEnded, maxAge } = retention;
    if (maxEnded === 'off' || maxEnded === null) settings.retention.maxEnded = null;
    else if (Number.isInteger(maxEnded) && (maxEnded as number) >= 0) settings.retention.maxEnded = maxEnded as number;
    else if (maxEnded !== undefined) warn(`${path}: retention.maxEnded must be a whole number of tasks, or "off": using ${DEFAULTS.retention.maxEnded}`);
    if (maxAge === 'off' || maxAge === null) settings.retention.maxAgeMs = null;
    else if (typeof maxAge === 'string' || typeof maxAge === 'number') {
      try {
        settings.retention.maxAgeMs = parseDuration(maxAge);
      } catch (error) {
        warn(`${path}: retention.maxAge: ${(error as Error).message}: using 7d`);
      }
    } else if (maxAge !== undefined) warn(`${path}: retention.maxAge must be a duration like "7d", or "off": using 7d`);
  }
  return settings;
}
