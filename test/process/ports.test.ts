/** Sockets read from /proc: addresses as people write them, v4 and v6 listeners, and who holds them. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatAddress, inetSockets, listeningPorts, listeningPortsOfEach, socketHolders } from '../../src/process/ports.js';
import { isRunning, waitFor } from '../helpers.js';

// The socket tables' reads, counted.
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  return { ...fs, readFileSync: vi.fn(fs.readFileSync) };
});
const tableReads = () => vi.mocked(readFileSync).mock.calls.filter(([file]) => String(file).startsWith('/proc/net/')).length;

describe('addresses from /proc/net', () => {
  it.each([
    ['0100007F', '127.0.0.1'],
    ['00000000', '0.0.0.0'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000001000000', '::1'],
    ['0000000000000000FFFF00000100007F', '::ffff:127.0.0.1'],
    ['000080FE000000000000000001000000', 'fe80::1'],
    ['B80D0120000000000000000000000100', '2001:db8::1:0'],
  ])('%s is %s', (hex, text) => {
    expect(formatAddress(hex)).toBe(text);
  });
});

describe('listening sockets', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  const listen = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      servers.push(server);
      server.once('error', reject);
      server.listen(0, host, () => resolve((server.address() as { port: number }).port));
    });

  it('finds v4 and v6 listeners, and this process holding them', async () => {
    const v4 = await listen('127.0.0.1');
    const v6 = await listen('::1');
    const sockets = inetSockets(['tcp'], true).filter((s) => s.localPort === v4 || s.localPort === v6);
    expect(sockets.map((s) => [s.localPort, s.localAddress, s.listening]).sort()).toEqual(
      [
        [v4, '127.0.0.1', true],
        [v6, '::1', true],
      ].sort(),
    );
    const holders = socketHolders(new Set(sockets.map((s) => s.inode)));
    for (const s of sockets) expect(holders.get(s.inode)).toEqual([process.pid]);
    expect(listeningPorts([process.pid])).toEqual(expect.arrayContaining([v4, v6]));
  });
});

describe('ports of processes without sockets', () => {
  it('reads no socket table for processes that hold no socket, one read for several groups that do', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await waitFor(() => readFileSync(`/proc/${child.pid}/comm`, 'latin1').startsWith('sleep'), 'sleep to run');
      const before = tableReads();
      expect(listeningPortsOfEach([[child.pid!], []])).toEqual([[], []]);
      expect(tableReads()).toBe(before);
      const server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      expect(listeningPortsOfEach([[child.pid!], [process.pid]])).toEqual([[], expect.arrayContaining([port])]);
      // tcp and tcp6, once for both groups
      expect(tableReads()).toBe(before + 2);
      await new Promise((r) => server.close(r));
    } finally {
      child.kill('SIGKILL');
      await waitFor(() => !isRunning(child.pid!), 'sleep to end');
    }
  });
});
