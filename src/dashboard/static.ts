/**
 * The page's files, from the package's `dist/web/` only. A request path is decoded,
 * normalised and checked to stay inside that folder (no `..`, no NUL, no symlink out of
 * it); anything else is a 404. Until the page is built, a placeholder says so.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/src/dashboard/static.js → dist/web/. */
export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>corral dashboard</title></head>
<body><h1>corral dashboard</h1>
<p>The dashboard's page is not built in this copy of corral (no dist/web/index.html).
Its API answers under <code>/api/</code>: <a href="/api/tasks">/api/tasks</a>, <a href="/api/envs">/api/envs</a>.</p>
</body></html>
`;

/**
 * The file a URL path names inside `root`, or null when it names none (or tries to leave
 * it). `/` is index.html.
 */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const parts = decoded.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..' || p.startsWith('.'))) return null;
  const wanted = parts.length === 0 ? 'index.html' : parts.join('/');
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(join(realRoot, wanted));
  } catch {
    return null;
  }
  if (!real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) return null;
  return statSync(real, { throwIfNoEntry: false })?.isFile() ? real : null;
}

export function serveStatic(res: ServerResponse, urlPath: string, head: boolean, root = WEB_ROOT): void {
  // A path whose last part has no extension (`/tasks/bash_3`) is a view of the page: index.html answers it.
  const file = resolveStatic(root, urlPath) ?? (isPageView(urlPath) ? resolveStatic(root, '/') : null);
  if (file === null) {
    if (isPageView(urlPath)) return send(res, 200, TYPES['.html']!, PLACEHOLDER, head);
    return send(res, 404, TYPES['.txt']!, 'not found\n', head);
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': statSync(file).size, 'Cache-Control': 'no-cache' });
  if (head) return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/** `/`, `/tasks/bash_3`: no dot in the last part, and no part a browser would not send as it is. */
function isPageView(urlPath: string): boolean {
  return /^(\/[A-Za-z0-9_-]+)*\/?$/.test(urlPath) || urlPath === '/index.html';
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}
