/**
 * Who may talk to the dashboard. It listens on 127.0.0.1 only, yet a page from any web
 * site can send requests to it from the user's browser, so every request is checked:
 * - a token: the home's secret, given once in the URL the CLI prints, then carried in an
 *   HttpOnly, SameSite=Strict cookie (another site's page can neither read nor send it);
 * - the Host header: a name that resolves to 127.0.0.1 through a rebinding DNS server still
 *   sends its own name, and is refused;
 * - the Origin of a request that changes something: only the page's own.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { join } from 'node:path';

export const TOKEN_COOKIE = 'corral_token';

/** Sent with every answer, the 401s and 403s too. */
export const SECURITY_HEADERS: OutgoingHttpHeaders = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** `<home>/secret`: the dashboard's token. */
export const secretPath = (home: string): string => join(home, 'secret');

/**
 * The home's secret, made the first time it is needed (32 random bytes, hex, mode 0600).
 * Made with O_EXCL: two daemons racing (they cannot, they hold a lock, but a CLI might
 * one day) end up with one secret, the first one written.
 */
export function homeSecret(home: string): string {
  const path = secretPath(home);
  const existing = readSecret(path);
  if (existing) return existing;
  const secret = randomBytes(32).toString('hex');
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, `${secret}\n`);
    } finally {
      closeSync(fd);
    }
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = readSecret(path);
    if (!other) throw new Error(`${path} exists but holds no secret: remove it, and a new one is made`);
    return other;
  }
}

function readSecret(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The names the dashboard answers to: a loopback address or localhost, with its port. */
export function allowedHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

/** The page's own origin, as a browser sends it: `http://` and the (already checked) Host. */
export function sameOrigin(req: IncomingMessage): boolean {
  return req.headers.origin !== undefined && req.headers.origin === `http://${req.headers.host}`;
}

/** Compares in constant time: the time a wrong token takes says nothing of the right one. */
export function tokenMatches(given: string | null | undefined, secret: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token the request's cookie carries, if any. */
export function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** The cookie that carries the token from the first page load on. */
export function tokenCookie(secret: string): string {
  return `${TOKEN_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/`;
}
