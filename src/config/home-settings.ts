/**
 * Settings of a whole home, from `<home>/corral.config.json`: the log cap every task gets
 * unless it sets its own (`logMaxSize`). Read when the supervisor opens; a bad value is
 * reported by name and the default is used, so that a typo never keeps the daemon down.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../machines/defaults.js';
import { parseLogCap } from '../../machines/policies/limits.js';

export interface HomeSettings {
  /** Bytes each task log keeps on disk; 0 for no cap. */
  logMaxBytes: number;
}

export function readHomeSettings(home: string, warn: (why: string) => void = () => {}): HomeSettings {
  const path = join(home, 'corral.config.json');
  const settings: HomeSettings = { logMaxBytes: DEFAULTS.logMaxBytes };
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
  return settings;
}
