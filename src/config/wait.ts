/**
 * THE check of what a wait waits for (`wait --until`, `background_wait`'s `until`), shared
 * by the supervisor and the front ends that check before they ask. Light: no schema
 * library, so the CLI and the MCP server load it at no cost.
 */
import { DEFAULTS } from '../../machines/defaults.js';
import { formatDuration } from '../../machines/duration.js';
import type { WaitFrom } from '../api.js';
import { field, usageError } from '../errors.js';
import { durationOption, normalizeTimeout } from './control.js';
import { compileFilter } from './filter.js';

export type WaitCondition =
  | { kind: 'exit' }
  | { kind: 'running' }
  | { kind: 'healthy' }
  | { kind: 'log'; pattern: string; regex: RegExp }
  | { kind: 'port'; port: number }
  | { kind: 'http'; url: string }
  | { kind: 'silence'; ms: number };

const FORMS = 'exit, running, healthy, log:RE, port:N, http:URL or silence:DURATION';

const bad = (message: string) => usageError(`${field('until')}: ${message}`);

/** `until` as written (default `exit`), checked: one sentence naming what is wrong. */
export function parseWaitCondition(until: string | undefined): WaitCondition {
  const what = until ?? 'exit';
  if (what === 'exit' || what === 'running' || what === 'healthy') return { kind: what };
  // An http(s) URL is its own condition: `--until http://127.0.0.1:3000/` reads as written.
  if (/^https?:\/\//i.test(what)) return httpCondition(what);
  const colon = what.indexOf(':');
  const kind = colon < 0 ? what : what.slice(0, colon);
  const value = colon < 0 ? '' : what.slice(colon + 1);
  switch (colon < 0 ? '' : kind) {
    case 'log': {
      if (value.length === 0) throw bad('log: needs a regular expression, e.g. log:listening');
      return { kind: 'log', pattern: value, regex: compileFilter(value, 'until')! };
    }
    case 'port': {
      const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
      if (!(port >= 1 && port <= 65535)) throw bad(`"${value}" is not a TCP port (1-65535)`);
      return { kind: 'port', port };
    }
    case 'http':
      return httpCondition(value);
    case 'silence':
      return { kind: 'silence', ms: durationOption(value, 'until') };
    default:
      throw bad(`"${what}" is not one of ${FORMS}`);
  }
}

function httpCondition(value: string): WaitCondition {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad(`"${value}" is not a URL, e.g. http:http://127.0.0.1:3000/health`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`"${value}" is not an http:// or https:// URL`);
  return { kind: 'http', url: value };
}

/** The condition as one string that parses back to it: what a verdict and a resume token carry. */
export function conditionText(c: WaitCondition): string {
  switch (c.kind) {
    case 'log':
      return `log:${c.pattern}`;
    case 'port':
      return `port:${c.port}`;
    case 'http':
      return `http:${c.url}`;
    case 'silence':
      return `silence:${formatDuration(c.ms)}`;
    default:
      return c.kind;
  }
}

/** What is awaited, in words: `a line matching /ready/`, `port 3000`, `5s without output`. */
export function describeCondition(c: WaitCondition): string {
  switch (c.kind) {
    case 'exit':
      return 'its exit';
    case 'running':
      return 'it to run';
    case 'healthy':
      return 'it to be healthy';
    case 'log':
      return `a line matching /${c.pattern}/`;
    case 'port':
      return `it to listen on port ${c.port}`;
    case 'http':
      return `${c.url} to answer`;
    case 'silence':
      return `${formatDuration(c.ms)} without output`;
  }
}

/** `wait`: what for, and for how long. */
export function normalizeWait(until: string | undefined, timeout: string | number | undefined): { condition: WaitCondition; timeoutMs: number } {
  return { condition: parseWaitCondition(until), timeoutMs: normalizeTimeout(timeout, DEFAULTS.waitTimeoutMs) };
}

export const WAIT_FROM = ['run', 'start', 'end'] as const;

/** Where a log wait starts searching: `run` (default), `start`, `end`, or offsets per stream. */
export function normalizeWaitFrom(from: WaitFrom | string | undefined): WaitFrom {
  if (from === undefined) return 'run';
  if (typeof from === 'string') {
    if ((WAIT_FROM as readonly string[]).includes(from)) return from as WaitFrom;
    throw usageError(`${field('from')}: "${from}" is not one of ${WAIT_FROM.join(', ')}`);
  }
  const offset = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!offset(from.stdout) || !offset(from.stderr)) throw usageError(`${field('from')}: byte offsets must be whole numbers of 0 or more`);
  return { stdout: from.stdout, stderr: from.stderr };
}
