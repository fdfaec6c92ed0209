/** The event stream in-process, over a supervisor with no task: a quiet stream's heartbeat, and its end when the client goes. */
import { rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventStreams } from '../../src/dashboard/events.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { makeHome, waitFor } from '../helpers.js';

let home: string;
let sup: Supervisor;
let server: Server;
let streams: EventStreams;

beforeEach(async () => {
  home = makeHome();
  sup = await Supervisor.open({ home, sampleIntervalMs: 60_000 });
  streams = new EventStreams(sup, 100);
  server = createServer((req, res) => streams.serve(req, res, new URLSearchParams()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  streams.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await sup.shutdown();
  rmSync(home, { recursive: true, force: true });
});

it('sends a heartbeat comment when nothing happens, and forgets a client that went', async () => {
  let text = '';
  const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end();
  await waitFor(() => (text.match(/^: heartbeat$/gm) ?? []).length >= 2, 'two heartbeats');
  expect(text.startsWith('retry: 2000\n\n')).toBe(true);
  expect(text).not.toMatch(/^id: /m);
  expect(streams.connected).toBe(1);
  req.destroy();
  await waitFor(() => streams.connected === 0, 'the client to be forgotten');
});
