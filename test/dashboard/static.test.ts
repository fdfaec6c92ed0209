/** The page's files: what a request path may name, and the checks of auth.ts that need no server. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedHost, tokenMatches } from '../../src/dashboard/auth.js';
import { startSeq } from '../../src/dashboard/events.js';
import { resolveStatic } from '../../src/dashboard/static.js';

let top: string;
let root: string;
beforeAll(() => {
  top = mkdtempSync(join(tmpdir(), 'corral-static-'));
  root = join(top, 'web');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'assets', 'app.js'), '');
  writeFileSync(join(root, '.secret'), '');
  writeFileSync(join(top, 'outside.txt'), '');
  symlinkSync(join(top, 'outside.txt'), join(root, 'link.txt'));
});
afterAll(() => rmSync(top, { recursive: true, force: true }));

describe('resolveStatic', () => {
  it('serves the files of the folder, / as index.html', () => {
    expect(resolveStatic(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveStatic(root, '/assets/app.js')).toBe(join(root, 'assets', 'app.js'));
    expect(resolveStatic(root, '/assets/%61pp.js')).toBe(join(root, 'assets', 'app.js'));
  });

  it('names nothing outside it, however the path is spelled', () => {
    for (const path of ['/../outside.txt', '/..%2foutside.txt', '/%2e%2e/outside.txt', '/assets/../../outside.txt', '/..\\outside.txt', '/%5c..%5coutside.txt', '/link.txt', '/.secret', '/index.html%00', '/%E0%A4%A', '/assets', '/missing.js']) {
      expect(resolveStatic(root, path), path).toBeNull();
    }
  });
});

describe('auth checks', () => {
  it('takes only loopback names with the port as Host', () => {
    expect(allowedHost('127.0.0.1:8080', 8080)).toBe(true);
    expect(allowedHost('localhost:8080', 8080)).toBe(true);
    expect(allowedHost('[::1]:8080', 8080)).toBe(true);
    for (const host of [undefined, '127.0.0.1', '127.0.0.1:8081', 'evil.example:8080', 'LOCALHOST.evil:8080', '0.0.0.0:8080']) expect(allowedHost(host, 8080), String(host)).toBe(false);
  });

  it('matches the token exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    for (const given of [null, undefined, '', 'ab', 'abcd', 'abd']) expect(tokenMatches(given, 'abc')).toBe(false);
  });

  it('starts an event stream after Last-Event-ID, else ?since=, else now', () => {
    expect(startSeq('12', '5', 40)).toBe(12);
    expect(startSeq(undefined, '5', 40)).toBe(5);
    expect(startSeq('x', null, 40)).toBe(40);
    expect(startSeq(undefined, null, 40)).toBe(40);
  });
});
