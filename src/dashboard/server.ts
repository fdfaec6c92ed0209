/**
 * The dashboard's HTTP server, inside the daemon: loaded only when `corral dashboard`
 * asks for it (the `dashboard` RPC method imports this module), or as a daemon starts in a
 * home whose last daemon served it, and then serving until the daemon goes. It listens on
 * 127.0.0.1 only. Every request passes the checks of auth.ts first; then /api/events is the
 * event stream, /api/* the JSON routes, and anything else a file of the page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DashboardAddress } from '../api.js';
import { failure } from '../errors.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { allowedHost, cookieToken, homeSecret, SECURITY_HEADERS, sameOrigin, tokenCookie, tokenMatches } from './auth.js';
import { EventStreams } from './events.js';
import { findRoute, statusOf } from './routes.js';
import { serveStatic } from './static.js';

let serving: Promise<DashboardAddress> | null = null;

/**
 * Serves the dashboard (once: a second call answers with the port already served) and
 * says where, with the token in the URL. It serves until the daemon exits; the next daemon
 * of the home serves it again on the same port (src/daemon/dashboard-memory.ts).
 */
export async function serveDashboard(supervisor: Supervisor, options: { port?: number } = {}): Promise<DashboardAddress> {
  if (!serving) {
    serving = start(supervisor, options.port ?? 0);
    serving.catch(() => {
      serving = null;
    });
  }
  return serving;
}

async function start(supervisor: Supervisor, port: number): Promise<DashboardAddress> {
  const secret = homeSecret(supervisor.paths.home);
  const streams = new EventStreams(supervisor);
  let listening = 0;
  const server = createServer((req, res) => {
    handle(req, res, { supervisor, secret, streams, port: listening }).catch((error) => {
      if (!res.headersSent) json(res, 500, { error: String((error as Error)?.message ?? error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? failure(`127.0.0.1:${port} is in use: choose another port, or give none for any free one`) : error),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  listening = (server.address() as AddressInfo).port;
  // Once it listens, a server error (none is expected) must not take the daemon down with it.
  server.on('error', () => {});
  // The event stream is long-lived; a request that sends nothing for a minute is not.
  server.requestTimeout = 60_000;
  return { url: `http://127.0.0.1:${listening}/?token=${secret}`, port: listening };
}

interface Context {
  supervisor: Supervisor;
  secret: string;
  streams: EventStreams;
  port: number;
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value!);
  // A name other than the loopback ones is a page that rebound its own name to 127.0.0.1.
  if (!allowedHost(req.headers.host, ctx.port)) return json(res, 403, { error: 'this Host is not served: open the dashboard at 127.0.0.1, localhost or [::1]' });
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  const method = req.method ?? 'GET';
  const reads = method === 'GET' || method === 'HEAD';

  const given = url.searchParams.get('token');
  if (reads && given !== null) {
    if (!tokenMatches(given, ctx.secret)) return json(res, 401, { error: 'wrong token: open the URL that corral dashboard prints' });
    // The token goes into a cookie, and out of the address bar and the history.
    url.searchParams.delete('token');
    res.writeHead(303, { 'Set-Cookie': tokenCookie(ctx.secret), Location: url.pathname + url.search, 'Cache-Control': 'no-store' });
    return void res.end();
  }
  if (!tokenMatches(cookieToken(req), ctx.secret)) return json(res, 401, { error: 'no token: open the URL that corral dashboard prints' });
  if (!reads && !sameOrigin(req)) return json(res, 403, { error: "a request that changes something must come from the dashboard's own page" });
  req.resume();

  if (url.pathname === '/api/events') {
    if (method !== 'GET') return json(res, 405, { error: 'GET only' }, { Allow: 'GET' });
    return ctx.streams.serve(req, res, url.searchParams);
  }
  if (url.pathname.startsWith('/api/')) {
    const route = findRoute(method === 'HEAD' ? 'GET' : method, url.pathname);
    if (route === null) return json(res, 404, { error: `no such API: ${url.pathname}` });
    if ('wrongMethod' in route) return json(res, 405, { error: `${method} is not allowed on ${url.pathname}` });
    try {
      return json(res, 200, await route.handle({ supervisor: ctx.supervisor, params: route.params, query: url.searchParams }));
    } catch (error) {
      return json(res, statusOf(error), { error: (error as Error)?.message ?? String(error) });
    }
  }
  if (!reads) return json(res, 405, { error: `${method} is not allowed on ${url.pathname}` }, { Allow: 'GET, HEAD' });
  serveStatic(res, url.pathname, method === 'HEAD');
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}
