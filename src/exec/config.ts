/**
 * The user's settings for agents. Auto-background rules and patterns come from
 * `corral.config.json` in the project (the current folder), the `autoBackground` section of
 * `./corral.yaml`, the same section in `.claude/settings.json`, and `corral.config.json` in
 * the home: lists add up in that order (so the project's rules are tried first);
 * `enabled: false` anywhere wins. An unknown key in a section is bad input: a misspelt
 * `rules` would otherwise be ignored without a word. What the end of a session does
 * (`sessionEnd`) comes from `corral.config.json`, the project's over the home's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutoBackgroundConfig, AutoBackgroundRule } from '../../machines/policies/autobackground.js';
import { suggestion } from '../../machines/policies/dependencies.js';
import { usageError } from '../errors.js';

interface Section {
  enabled?: unknown;
  patterns?: unknown;
  excludePatterns?: unknown;
  rules?: unknown;
}

const SECTION_KEYS = ['enabled', 'patterns', 'excludePatterns', 'rules'];
/** corral.config.json may hold the section's keys bare, beside its own other settings. */
const CONFIG_FILE_KEYS = ['sessionEnd', 'autoBackground'];

function check(section: unknown, where: string, alsoAllowed: string[] = []): Section | null {
  if (section === undefined || section === null) return null;
  if (typeof section !== 'object' || Array.isArray(section)) throw usageError(`${where}: autoBackground must be an object with patterns, excludePatterns or rules`);
  const s = section as Section;
  const unknown = Object.keys(s).find((key) => !SECTION_KEYS.includes(key) && !alsoAllowed.includes(key));
  if (unknown !== undefined) {
    throw usageError(`${where}: autoBackground has no key "${unknown}"${suggestion(unknown, SECTION_KEYS) || ` (it takes ${SECTION_KEYS.join(', ')})`}`);
  }
  for (const key of ['patterns', 'excludePatterns'] as const) {
    if (s[key] !== undefined && (!Array.isArray(s[key]) || !(s[key] as unknown[]).every((p) => typeof p === 'string'))) {
      throw usageError(`${where}: autoBackground.${key} must be a list of strings`);
    }
  }
  if (s.enabled !== undefined && typeof s.enabled !== 'boolean') throw usageError(`${where}: autoBackground.enabled must be true or false`);
  if (s.rules !== undefined) checkRules(s.rules, where);
  return s;
}

function checkRules(rules: unknown, where: string): void {
  if (!Array.isArray(rules)) throw usageError(`${where}: autoBackground.rules must be a list of {"pattern": "...", "background": true|false}`);
  rules.forEach((rule: unknown, i) => {
    const at = `${where}: autoBackground.rules[${i}]`;
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw usageError(`${at} must be {"pattern": "...", "background": true|false}`);
    const unknown = Object.keys(rule).find((key) => key !== 'pattern' && key !== 'background');
    if (unknown !== undefined) throw usageError(`${at} has no key "${unknown}"${suggestion(unknown, ['pattern', 'background']) || ' (it takes pattern and background)'}`);
    const r = rule as { pattern?: unknown; background?: unknown };
    if (typeof r.pattern !== 'string' || r.pattern.trim() === '') throw usageError(`${at}.pattern must be a command prefix, a glob or a /regex/`);
    if (typeof r.background !== 'boolean') throw usageError(`${at}.background must be true or false`);
  });
}

function rulesOf(section: Section, where: string): AutoBackgroundRule[] {
  return ((section.rules as { pattern: string; background: boolean }[] | undefined) ?? []).map((r) => ({ pattern: r.pattern, background: r.background, source: where }));
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw usageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

export async function loadAutoBackground(cwd: string, home: string): Promise<AutoBackgroundConfig> {
  // The project's files first, the home's last: the first rule that matches decides.
  const sections: { section: Section; where: string }[] = [];
  const fromConfigFile = (path: string) => {
    if (!existsSync(path)) return;
    const data = readJson(path) as { autoBackground?: unknown } & Section;
    // The file may hold the section itself or wrap it in "autoBackground".
    const section = data?.autoBackground !== undefined ? check(data.autoBackground, path) : check(data, path, CONFIG_FILE_KEYS);
    if (section) sections.push({ section, where: path });
  };
  fromConfigFile(join(cwd, 'corral.config.json'));
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
  const claude = join(cwd, '.claude', 'settings.json');
  if (existsSync(claude)) {
    const section = check((readJson(claude) as { autoBackground?: unknown })?.autoBackground, claude);
    if (section) sections.push({ section, where: claude });
  }
  fromConfigFile(join(home, 'corral.config.json'));
  return {
    enabled: sections.every(({ section }) => section.enabled !== false),
    rules: sections.flatMap(({ section, where }) => rulesOf(section, where)),
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
