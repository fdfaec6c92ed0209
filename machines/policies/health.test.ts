/**
 * Health checks as pure functions: every short form `--health` takes and how a bad one is
 * refused, how probes are shown, and how rounds of probes move a task between unknown,
 * healthy and unhealthy through retries and the start period.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../defaults.js';
import {
  checkRegex,
  describeHealth,
  describeProbe,
  healthDefaults,
  HealthSpecError,
  INITIAL_HEALTH,
  nextHealth,
  parseProbe,
  tcpProbe,
  type HealthProbe,
  type HealthState,
} from './health.js';

const NOT_A_CHECK = 'is not a health check: use http://host:port/path, tcp:host:port, listen (any port it opens), file:PATH, socket:PATH, exec:COMMAND or log:REGEX';

/** The error a parse throws, checked to be a HealthSpecError. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(HealthSpecError);
    return (error as Error).message;
  }
  throw new Error('expected a HealthSpecError, nothing was thrown');
}

describe('healthDefaults', () => {
  it('takes every timing from DEFAULTS and sets no liveness', () => {
    const probes: HealthProbe[] = [{ kind: 'listen' }];
    expect(healthDefaults(probes)).toStrictEqual({ probes, intervalMs: 1_000, timeoutMs: 2_000, retries: 3, startPeriodMs: 0 });
    expect(healthDefaults(probes).retries).toBe(DEFAULTS.health.retries);
  });

  it('applies overrides', () => {
    expect(healthDefaults([], { retries: 5, startPeriodMs: 10_000, liveness: true })).toStrictEqual({
      probes: [],
      intervalMs: 1_000,
      timeoutMs: 2_000,
      retries: 5,
      startPeriodMs: 10_000,
      liveness: true,
    });
  });
});

describe('parseProbe', () => {
  it.each<[string, HealthProbe]>([
    ['http://127.0.0.1:4000/health', { kind: 'http', url: 'http://127.0.0.1:4000/health' }],
    ['https://example.com', { kind: 'http', url: 'https://example.com' }],
    ['HTTP://localhost/', { kind: 'http', url: 'HTTP://localhost/' }],
    ['  http://[::1]:4000/ready  ', { kind: 'http', url: 'http://[::1]:4000/ready' }],
    ['8080', { kind: 'tcp', host: '127.0.0.1', port: 8080 }],
    [':8080', { kind: 'tcp', host: '127.0.0.1', port: 8080 }],
    ['tcp:5432', { kind: 'tcp', host: '127.0.0.1', port: 5432 }],
    ['tcp::5432', { kind: 'tcp', host: '127.0.0.1', port: 5432 }],
    ['tcp:db:5432', { kind: 'tcp', host: 'db', port: 5432 }],
    ['tcp:[::1]:5432', { kind: 'tcp', host: '::1', port: 5432 }],
    ['tcp:localhost:1', { kind: 'tcp', host: 'localhost', port: 1 }],
    ['tcp:localhost:65535', { kind: 'tcp', host: 'localhost', port: 65535 }],
    ['listen', { kind: 'listen' }],
    ['port', { kind: 'listen' }],
    [' listen ', { kind: 'listen' }],
    ['file:/tmp/ready', { kind: 'file', path: '/tmp/ready' }],
    ['file:C:/odd:name', { kind: 'file', path: 'C:/odd:name' }],
    ['socket:/run/app.sock', { kind: 'socket', path: '/run/app.sock' }],
    ['exec:pg_isready -h localhost', { kind: 'exec', command: 'pg_isready -h localhost' }],
    ['exec:curl -fs http://localhost:3000/', { kind: 'exec', command: 'curl -fs http://localhost:3000/' }],
    ['log:listening on port \\d+', { kind: 'log', pattern: 'listening on port \\d+' }],
    ['log:(?i)ready: yes', { kind: 'log', pattern: '(?i)ready: yes' }],
  ])('%j → %j', (text, probe) => {
    expect(parseProbe(text)).toEqual(probe);
  });

  it('refuses an http URL without a host', () => {
    expect(refusal(() => parseProbe('http://'))).toBe('"http://" is not an http URL: write it like http://127.0.0.1:4000/health');
    expect(refusal(() => parseProbe('https://:4000/health'))).toBe(
      '"https://:4000/health" is not an http URL: write it like http://127.0.0.1:4000/health',
    );
  });

  it.each<[string, string]>([
    ['tcp:', 'tcp: "" is not host:port'],
    ['tcp:db', 'tcp: "db" is not host:port'],
    ['tcp:db:port', 'tcp: "db:port" is not host:port'],
    ['tcp:db:0', 'tcp: "db:0" is not host:port'],
    ['tcp:db:65536', 'tcp: "db:65536" is not host:port'],
    ['tcp:db:123456', 'tcp: "db:123456" is not host:port'],
    // A bare port or :port is quoted as written, not as the address it stands for.
    ['0', 'tcp: "0" is not host:port'],
    ['70000', 'tcp: "70000" is not host:port'],
    [':0', 'tcp: ":0" is not host:port'],
    [':http', 'tcp: ":http" is not host:port'],
  ])('refuses the tcp check %j: %s', (text, message) => {
    expect(refusal(() => parseProbe(text))).toBe(message);
  });

  it('refuses a file, socket or exec check with nothing after the colon', () => {
    expect(refusal(() => parseProbe('file:'))).toBe('file: needs a path');
    expect(refusal(() => parseProbe('socket:'))).toBe('socket: needs a path');
    expect(refusal(() => parseProbe('exec:'))).toBe('exec: needs a command');
    expect(refusal(() => parseProbe('exec:   '))).toBe('exec: needs a command');
  });

  it('refuses a log check that is not a regular expression', () => {
    expect(refusal(() => parseProbe('log:ready ('))).toBe('log: "ready (" is not a valid regular expression (/ready (/: Unterminated group)');
  });

  it.each(['', 'nope', 'localhost:8080', 'udp:53', 'ftp://host/', 'TCP:80', 'http:localhost'])('refuses %j, listing the forms', (text) => {
    expect(refusal(() => parseProbe(text))).toBe(`"${text}" ${NOT_A_CHECK}`);
  });
});

describe('tcpProbe', () => {
  it('takes host:port, [v6]:port, :port or a bare port', () => {
    expect(tcpProbe(' db:5432 ')).toEqual({ kind: 'tcp', host: 'db', port: 5432 });
    expect(tcpProbe('[fe80::1]:80')).toEqual({ kind: 'tcp', host: 'fe80::1', port: 80 });
    expect(tcpProbe(':80')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 80 });
    expect(tcpProbe('80')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 80 });
  });

  it('quotes the address as given when refusing it', () => {
    expect(refusal(() => tcpProbe(' db '))).toBe('tcp: " db " is not host:port');
    expect(refusal(() => tcpProbe('db:-1'))).toBe('tcp: "db:-1" is not host:port');
  });
});

describe('checkRegex', () => {
  it('accepts a regular expression, with or without the (?i) prefix', () => {
    expect(() => checkRegex('ready')).not.toThrow();
    expect(() => checkRegex('(?i)^server (started|listening)')).not.toThrow();
  });

  it('names the pattern and the engine complaint without its preamble', () => {
    expect(refusal(() => checkRegex('['))).toBe('log: "[" is not a valid regular expression (/[/: Unterminated character class)');
    expect(refusal(() => checkRegex('(?i)('))).toBe('log: "(?i)(" is not a valid regular expression (/(/i: Unterminated group)');
  });
});

describe('describeProbe', () => {
  it.each<[HealthProbe, string]>([
    [{ kind: 'http', url: 'http://127.0.0.1:4000/health' }, 'http://127.0.0.1:4000/health'],
    [{ kind: 'tcp', host: '127.0.0.1', port: 5432 }, 'tcp:127.0.0.1:5432'],
    [{ kind: 'file', path: '/tmp/ready' }, 'file:/tmp/ready'],
    [{ kind: 'socket', path: '/run/app.sock' }, 'socket:/run/app.sock'],
    [{ kind: 'exec', command: 'pg_isready' }, 'exec:pg_isready'],
    [{ kind: 'log', pattern: 'ready' }, 'log:/ready/'],
    [{ kind: 'listen' }, 'listen (any TCP port)'],
  ])('%j → %s', (probe, text) => {
    expect(describeProbe(probe)).toBe(text);
  });

  it('reads back as the same probe for the kinds written as they are parsed', () => {
    const probes: HealthProbe[] = [
      { kind: 'http', url: 'https://example.com/health' },
      { kind: 'tcp', host: 'db', port: 5432 },
      { kind: 'tcp', host: '::1', port: 5432 },
      { kind: 'file', path: '/tmp/ready' },
      { kind: 'socket', path: '/run/app.sock' },
      { kind: 'exec', command: 'curl -fs http://localhost:3000/' },
    ];
    for (const probe of probes) expect(parseProbe(describeProbe(probe))).toEqual(probe);
  });
});

describe('nextHealth', () => {
  const spec = healthDefaults([{ kind: 'listen' }], { retries: 3, startPeriodMs: 5_000 });
  const LATER = 60_000;
  /** Runs rounds (null = pass) from a state, all `at` ms after the start. */
  const rounds = (from: HealthState, errors: Array<string | null>, at = LATER) => {
    const states: HealthState[] = [];
    let state = from;
    for (const error of errors) states.push((state = nextHealth(spec, state, error, at)));
    return states;
  };

  it('is unknown at first', () => {
    expect(INITIAL_HEALTH).toEqual({ status: 'unknown', failures: 0, lastError: null });
  });

  it('becomes healthy on the first passing round', () => {
    expect(nextHealth(spec, INITIAL_HEALTH, null, 0)).toEqual({ status: 'healthy', failures: 0, lastError: null });
  });

  it('stays unknown until `retries` failures in a row, then is unhealthy', () => {
    expect(rounds(INITIAL_HEALTH, ['refused', 'refused', 'timed out'])).toEqual([
      { status: 'unknown', failures: 1, lastError: 'refused' },
      { status: 'unknown', failures: 2, lastError: 'refused' },
      { status: 'unhealthy', failures: 3, lastError: 'timed out' },
    ]);
  });

  it('stays healthy through fewer than `retries` failures, and a pass starts the count over', () => {
    const healthy: HealthState = { status: 'healthy', failures: 0, lastError: null };
    expect(rounds(healthy, ['refused', 'refused', null, 'refused', 'refused', 'refused'])).toEqual([
      { status: 'healthy', failures: 1, lastError: 'refused' },
      { status: 'healthy', failures: 2, lastError: 'refused' },
      { status: 'healthy', failures: 0, lastError: 'refused' },
      { status: 'healthy', failures: 1, lastError: 'refused' },
      { status: 'healthy', failures: 2, lastError: 'refused' },
      { status: 'unhealthy', failures: 3, lastError: 'refused' },
    ]);
  });

  it('keeps counting while unhealthy, and recovers on a pass', () => {
    const unhealthy: HealthState = { status: 'unhealthy', failures: 3, lastError: 'refused' };
    expect(rounds(unhealthy, ['reset', null])).toEqual([
      { status: 'unhealthy', failures: 4, lastError: 'reset' },
      { status: 'healthy', failures: 0, lastError: 'reset' },
    ]);
  });

  it('does not count failures during the start period, but keeps the last error', () => {
    expect(rounds(INITIAL_HEALTH, ['refused', 'refused', 'refused', 'not yet'], 4_999)).toEqual(
      Array.from({ length: 4 }, (_, i) => ({ status: 'unknown', failures: 0, lastError: i < 3 ? 'refused' : 'not yet' })),
    );
    // At exactly start_period the failures count.
    expect(nextHealth(spec, INITIAL_HEALTH, 'refused', 5_000)).toEqual({ status: 'unknown', failures: 1, lastError: 'refused' });
  });

  it('counts failures during the start period once the task was healthy', () => {
    const healthy: HealthState = { status: 'healthy', failures: 2, lastError: null };
    expect(nextHealth(spec, healthy, 'refused', 1_000)).toEqual({ status: 'unhealthy', failures: 3, lastError: 'refused' });
  });

  it('is unhealthy on the first counted failure with retries 1', () => {
    const one = healthDefaults([], { retries: 1 });
    expect(nextHealth(one, INITIAL_HEALTH, 'refused', 0)).toEqual({ status: 'unhealthy', failures: 1, lastError: 'refused' });
  });

  it('does not change the state it was given', () => {
    const state: HealthState = { status: 'healthy', failures: 1, lastError: 'x' };
    const snapshot = structuredClone(state);
    nextHealth(spec, state, 'refused', LATER);
    nextHealth(spec, state, null, LATER);
    nextHealth(spec, state, 'refused', 0);
    expect(state).toEqual(snapshot);
    expect(INITIAL_HEALTH).toEqual({ status: 'unknown', failures: 0, lastError: null });
  });
});

describe('describeHealth', () => {
  it.each<[HealthState, string]>([
    [{ status: 'unknown', failures: 2, lastError: 'refused' }, 'unknown'],
    [{ status: 'healthy', failures: 1, lastError: 'refused' }, 'healthy'],
    [{ status: 'unhealthy', failures: 1, lastError: 'connection refused' }, 'unhealthy (1 failure: connection refused)'],
    [{ status: 'unhealthy', failures: 3, lastError: 'connection refused' }, 'unhealthy (3 failures: connection refused)'],
    [{ status: 'unhealthy', failures: 2, lastError: null }, 'unhealthy (2 failures)'],
    [{ status: 'unhealthy', failures: 0, lastError: '' }, 'unhealthy (0 failures)'],
  ])('%j → %s', (state, text) => {
    expect(describeHealth(state)).toBe(text);
  });
});
