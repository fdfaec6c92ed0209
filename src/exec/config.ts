/**
 * The user's settings for agents. Auto-background patterns come from `corral.config.json`
 * in the project (the current folder) or in the home, the `autoBackground` section of
 * `./corral.yaml`, and the same section in `.claude/settings.json`: lists add up;
 * `enabled: false` anywhere wins. What the end of a session does (`sessionEnd`) comes
 * from `corral.config.json`, the project's over the home's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutoBackgroundConfig } from '../../machines/policies/autobackground.js';
import { usageError } from '../errors.js';

interface Section {
  enabled?: unknown;
  patterns?: unknown;
  excludePatterns?: unknown;
}

function check(section: unknown, where: string): Section | null {
  if (section === undefined || section === null) return null;
  if (typeof section !== 'object' || Array.isArray(section)) throw usageError(`${where}: autoBackground must be an object with patterns and excludePatterns`);
  const s = section as Section;
  for (const key of ['patterns', 'excludePatterns'] as const) {
    if (s[key] !== undefined && (!Array.isArray(s[key]) || !(s[key] as unknown[]).every((p) => typeof p === 'string'))) {
      throw usageError(`${where}: autoBackground.${key} must be a list of strings`);
    }
  }
  if (s.enabled !== undefined && typeof s.enabled !== 'boolean') throw usageError(`${where}: autoBackground.enabled must be true or false`);
  return s;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw usageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

export async function loadAutoBackground(cwd: string, home: string): Promise<AutoBackgroundConfig> {
  const sections: { section: Section; where: string }[] = [];
  for (const path of [join(cwd, 'corral.config.json'), join(home, 'corral.config.json')]) {
    if (!existsSync(path)) continue;
    const data = readJson(path) as { autoBackground?: unknown } & Section;
    // The file may hold the section itself or wrap it in "autoBackground".
    const section = check(data?.autoBackground ?? data, path);
    if (section) sections.push({ section, where: path });
  }
  const claude = join(cwd, '.claude', 'settings.json');
  if (existsSync(claude)) {
    const section = check((readJson(claude) as { autoBackground?: unknown })?.autoBackground, claude);
    if (section) sections.push({ section, where: claude });
  }
  for (const name of ['corral.yaml', 'corral.yml']) {
    const path = join(cwd, name);
    if (!existsSync(path)) continue;
    const { parse } = await import('yaml');
    let data: { autoBackground?: unknown } | null = null;
    try {
      data = parse(readFileSync(path, 'utf8')) as { autoBackground?: unknown } | null;
    } catch {
      data = null; // `corral up` reports a broken env file with its position; here it only lacks patterns.
    }
    const section = check(data?.autoBackground, path);
    if (section) sections.push({ section, where: path });
    break;
  }
  return {
    enabled: sections.every(({ section }) => section.enabled !== false),
    patterns: sections.flatMap(({ section }) => (section.patterns as string[] | undefined) ?? []),
    excludePatterns: sections.flatMap(({ section }) => (section.excludePatterns as string[] | undefined) ?? []),
    ...(sections.length > 0 ? { source: sections.map((s) => s.where).join(', ') } : {}),
  };
}

export type SessionEndAction = 'stop' | 'keep';

/** `sessionEnd: "keep"` leaves every task of an ended session running; the default, `"stop"`, stops those not kept. */
export function loadSessionEnd(cwd: string, home: string): SessionEndAction {
  for (const path of [join(cwd, 'corral.config.json'), join(home, 'corral.config.json')]) {
    if (!existsSync(path)) continue;
    const value = (readJson(path) as { sessionEnd?: unknown } | null)?.sessionEnd;
    if (value === undefined) continue;
    if (value !== 'stop' && value !== 'keep') throw usageError(`${path}: sessionEnd must be "stop" or "keep"`);
    return value;
  }
  return 'stop';
}
