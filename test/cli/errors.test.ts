import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

describe('errors: one sentence on stderr and the contract exit code', () => {
  it.each([
    [['run', '--bogus', '--', 'true'], 2, /unknown option '--bogus'/],
    [['run'], 2, /missing required argument 'command'/],
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
    [['run', '--grace', 'soon', '--', 'true'], 2, /^corral: --grace: "soon" is not a duration: write it like 500ms/],
    [['run', '--stop-signal', 'SIGNOPE', '--', 'true'], 2, /--stop-signal: "SIGNOPE" is not a signal/],
    [['run', '--env', 'NOEQUALS', '--', 'true'], 2, /--env: "NOEQUALS" is not of the form NAME=value/],
    [['run', '--cwd', '/nonexistent/dir', '--', 'true'], 2, /--cwd: \/nonexistent\/dir is not a folder/],
    [['run', '--name', 'bad name', '--', 'true'], 2, /^corral: --name: a name starts with a letter/],
    [['run', '--restart', 'sometimes', '--', 'true'], 2, /argument 'sometimes' is invalid/],
    // Bad usage is reported before the task is looked up: the fix is the same whatever the id.
    [['logs', 'bash_1', '--filter', '(unclosed'], 2, /--filter: "\(unclosed" is not a valid regular expression/],
    [['status', 'bash_99'], 3, /no task "bash_99"/],
    [['kill', 'nosuch'], 3, /no task "nosuch"/],
    [['wait', 'bash_5'], 3, /no task "bash_5"/],
    [['kill'], 2, /kill needs a task id or name, or --all/],
    [['logs', 'x', '--tail', 'many'], 2, /--tail: "many" is not a whole number/],
    [['logs', 'x', '--new', '--offset', '3'], 2, /--new and --offset both say where to start/],
    [['wait', 'x', '--until', 'lunch'], 2, /--until: "lunch" is not one of exit, running, healthy/],
    [['run', '--timeout', '0', '--', 'true'], 2, /--timeout: a timeout of 0 would stop the task at once: leave it out for no limit/],
    // A limit's bad duration names its option once, as every other duration of run does.
    [['run', '--timeout', 'x', '--', 'true'], 2, /^corral: --timeout: "x" is not a duration: write it like 500ms, 5s, 2m or 1h\n$/],
    [['run', '--idle', '5 min', '--', 'true'], 2, /^corral: --idle: "5 min" is not a duration: write it like 500ms, 5s, 2m or 1h\n$/],
    [['run', '--timeout', '1000001d', '--', 'true'], 2, /^corral: --timeout: "1000001d" is too long a duration: at most 1000000d\n$/],
    [['run', '--wait-healthy', '--wait-timeout', '99999999d', '--', 'true'], 2, /^corral: --wait-timeout: "99999999d" is too long a duration: at most 1000000d\n$/],
    [['run', '--idle', '0s', '--', 'true'], 2, /--idle: an idle limit of 0 would stop the task at once/],
    [['--home', '', 'ls'], 2, /--home: give a folder/],
    [['run', '--idle-action', 'stop', '--', 'true'], 2, /--idle-action says what --idle does: give --idle too/],
    [['run', '--wait-timeout', '5s', '--', 'true'], 2, /--wait-timeout bounds --wait-healthy: give --wait-healthy too/],
    [['run', '--max-memory', '10', '--', 'true'], 2, /--max-memory: "10" is 10 bytes, too little for any program: write it with a unit, like 500M/],
    [['run', '--health', 'http://', '--', 'true'], 2, /"http:\/\/" is not an http URL/],
    [['--home', '/etc/passwd', 'ls'], 2, /--home: \/etc\/passwd is not a folder/],
  ])('corral %j exits %i', async (args, code, message) => {
    const r = await cli(home, args as string[]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(Did you mean')).length).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('refuses an invalid regex with exit 2 and the reason', async () => {
    await cli(home, ['run', '--', 'echo hi']);
    const r = await cli(home, ['logs', 'bash_1', '--filter', '(unclosed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--filter: "\(unclosed" is not a valid regular expression \(.*Unterminated group\)/);
  });

  it('refuses a name that a live task holds', async () => {
    await cli(home, ['run', '--name', 'api', '--', 'sleep 30']);
    const r = await cli(home, ['run', '--name', 'api', '--', 'sleep 30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--name: "api" is taken by bash_1, which is running/);
  });

  it('answers bad RPC messages with errors and keeps serving, tasks untouched', async () => {
    await cli(home, ['run', '--', 'sleep 30']);
    const { connect } = await import('node:net');
    const { join } = await import('node:path');
    const replies: any[] = await new Promise((resolve) => {
      const socket = connect(join(home, 'corral.sock'));
      let text = '';
      socket.on('data', (b) => {
        text += b;
        const lines = text.split('\n').filter(Boolean);
        if (lines.length === 6) {
          socket.end();
          resolve(lines.map((l) => JSON.parse(l)));
        }
      });
      socket.write('not json\n');
      socket.write('{"jsonrpc":"2.0","id":1,"method":"nope"}\n');
      socket.write('{"jsonrpc":"2.0","id":2,"method":"kill","params":{"refs":[42]}}\n');
      socket.write('{"jsonrpc":"2.0","id":3,"method":"read","params":{"ref":"bash_1","filter":"["}}\n');
      socket.write('{"id":4}\n');
      socket.write('{"jsonrpc":"2.0","id":5,"method":"run","params":{"command":"true","restart":"sometimes"}}\n');
    });
    const byId = (id: unknown) => replies.find((r) => r.id === id);
    expect(byId(null)?.error.code).toBeDefined();
    expect(byId(1).error.message).toBe('unknown method "nope"');
    expect(byId(2).error.message).toMatch(/invalid params of kill: refs.0/);
    expect(byId(3).error.message).toMatch(/not a valid regular expression/);
    expect(byId(4).error.message).toBe('not a JSON-RPC 2.0 request');
    // The field at fault by its canonical key; the template in `data` lets each client word it.
    expect(byId(5).error.message).toMatch(/^restart: .*'no' \| 'on-failure' \| 'always' \| 'unless-stopped'/);
    expect(byId(5).error.data).toMatchObject({ kind: 'usage', template: expect.stringMatching(/^\u27e8restart\u27e9: /) });
    expect((await cliJson(home, ['status', 'bash_1'])).status).toBe('running');
  });
});
