import { describe, expect, it } from 'vitest';
import { judgeBroadKill, reachesProcess, recognizeBroadKill } from './broad-kill.js';

const port = (port: number, scope: string, protocols: string[], signal = 'SIGTERM') => ({ reach: { kind: 'port', port, scope, protocols }, signal });
const pattern = (p: string, full: boolean, signal = 'SIGTERM', more: object = {}) => ({ reach: { kind: 'pattern', pattern: p, full, exact: false, ignoreCase: false, ...more }, signal });

describe('recognizing the broad kills agents write', () => {
  it.each([
    ['kill $(lsof -ti:3000)', port(3000, 'local-or-remote', ['tcp', 'udp'])],
    ['kill -9 $(lsof -ti :3000)', port(3000, 'local-or-remote', ['tcp', 'udp'], 'SIGKILL')],
    ['kill -9 $(lsof -t -i tcp:3000)', port(3000, 'local-or-remote', ['tcp'], 'SIGKILL')],
    ['kill `lsof -ti:8080`', port(8080, 'local-or-remote', ['tcp', 'udp'])],
    ['kill -s KILL $(lsof -nP -ti:3000 -sTCP:LISTEN) 2>/dev/null || true', port(3000, 'listening', ['tcp'], 'SIGKILL')],
    ['lsof -ti:3000 | xargs kill', port(3000, 'local-or-remote', ['tcp', 'udp'])],
    ['lsof -i :5173 -t | xargs -r kill -9', port(5173, 'local-or-remote', ['tcp', 'udp'], 'SIGKILL')],
    ['lsof -ti:3000 2>/dev/null | xargs kill -9 > /dev/null 2>&1', port(3000, 'local-or-remote', ['tcp', 'udp'], 'SIGKILL')],
    ['fuser -k 3000/tcp', port(3000, 'local', ['tcp'], 'SIGKILL')],
    ['fuser -k -TERM -n tcp 3000', port(3000, 'local', ['tcp'])],
    ['pkill node', pattern('node', false)],
    ['pkill -f "next dev"', pattern('next dev', true)],
    ["pkill -9 -f 'vite --port 5173' || true", pattern('vite --port 5173', true, 'SIGKILL')],
    ['/usr/bin/pkill -fi Server', pattern('Server', true, 'SIGTERM', { ignoreCase: true })],
    ['pkill --signal INT -x node', pattern('node', false, 'SIGINT', { exact: true })],
    ['killall node', { reach: { kind: 'names', names: ['node'], exact: false, ignoreCase: false }, signal: 'SIGTERM' }],
    ['killall -9 node python3', { reach: { kind: 'names', names: ['node', 'python3'], exact: false, ignoreCase: false }, signal: 'SIGKILL' }],
  ])('%s', (command, expected) => {
    expect(recognizeBroadKill(command)).toEqual(expected);
  });

  it.each([
    ['pkill -HUP nginx', 'a reload, not a stop'],
    ['kill -USR1 $(lsof -ti:3000)', 'not a stop signal'],
    ['pkill -u alice node', 'a narrower reach than judged'],
    ['pkill -f $NAME', 'a variable'],
    ['pkill -f node*', 'a glob'],
    ['kill $(lsof -ti:3000) && npm run dev', 'more than the kill'],
    ['lsof -ti:3000 | xargs kill; npm start', 'more than the kill'],
    ['kill $(lsof -i:3000)', 'lsof without -t'],
    ['kill $(lsof -ti:3000-3005)', 'a port range'],
    ['kill $(pgrep node)', 'not lsof'],
    ['fuser 3000/tcp', 'fuser without -k'],
    ['fuser -k /tmp/file', 'not a port'],
    ['sudo pkill node', 'another user'],
    ['pkill -f "a(b"', 'a bad pattern'],
    ['kill 1234', 'a pid'],
    ['pkill node &', 'in the background'],
    ['killall -r node', 'a regex killall'],
    ['echo pkill node', 'not a kill'],
  ])('leaves %s alone (%s)', (command) => {
    expect(recognizeBroadKill(command)).toBeNull();
  });
});

describe('which processes pkill and killall would reach', () => {
  const node = { comm: 'node', args: ['/usr/bin/node', 'server.js', '--port', '3000'] };
  const long = { comm: 'webpack-dev-ser', args: ['webpack-dev-server'] };
  const reach = (command: string) => recognizeBroadKill(command)!.reach as Parameters<typeof reachesProcess>[0];

  it('matches the name without -f, the command line joined by spaces with it', () => {
    expect(reachesProcess(reach('pkill node'), node)).toBe(true);
    expect(reachesProcess(reach('pkill server'), node)).toBe(false);
    expect(reachesProcess(reach('pkill -f "server.js --port 3000"'), node)).toBe(true);
    expect(reachesProcess(reach('pkill -f "^node"'), node)).toBe(false);
    expect(reachesProcess(reach('pkill -x nod'), node)).toBe(false);
    expect(reachesProcess(reach('pkill -i NODE'), node)).toBe(true);
  });

  it('reads -f of a kernel thread (no command line) against its name', () => {
    expect(reachesProcess(reach('pkill -f kworker'), { comm: 'kworker/0:1', args: [] })).toBe(true);
  });

  it('matches killall names on the kernel name (15 characters) or the program', () => {
    expect(reachesProcess(reach('killall node'), node)).toBe(true);
    expect(reachesProcess(reach('killall nod'), node)).toBe(false);
    expect(reachesProcess(reach('killall webpack-dev-server'), long)).toBe(true);
    expect(reachesProcess(reach('killall -e webpack-dev-server-x'), long)).toBe(false);
  });
});

describe('the verdict', () => {
  it('is a corral kill of exactly the tasks when only tasks are reached', () => {
    const reached = [
      { pid: 10, command: 'node a', task: { id: 'bash_2' } },
      { pid: 11, command: 'node a worker', task: { id: 'bash_2' } },
      { pid: 12, command: 'node b', task: { id: 'bash_5' } },
    ];
    expect(judgeBroadKill(reached)).toEqual({ kind: 'tasks', ids: ['bash_2', 'bash_5'] });
  });

  it('names the outside processes when there are any, and nothing when none is reached', () => {
    const outside = { pid: 99, command: 'python3 -m http.server', task: null };
    expect(judgeBroadKill([{ pid: 10, command: 'node a', task: { id: 'bash_1' } }, outside])).toEqual({ kind: 'outside', outside: [outside], ids: ['bash_1'] });
    expect(judgeBroadKill([])).toEqual({ kind: 'none' });
  });
});
