import { describe, expect, it } from 'vitest';
import { parseFast } from '../../src/cli/fast.js';

const words = (argv: string[]) => {
  const r = parseFast(argv);
  return r ? { cmd: r.spec.words.join(' '), args: r.args } : null;
};

describe('the fast path of the CLI', () => {
  it('reads well-formed calls like commander would, with global options anywhere', () => {
    expect(words(['ls', '--json'])).toEqual({ cmd: 'ls', args: [{ json: true }] });
    expect(words(['--home', '/h', 'ls'])).toEqual({ cmd: 'ls', args: [{ home: '/h' }] });
    expect(words(['--home=/h', 'status', 'bash_1', '--json'])).toEqual({ cmd: 'status', args: ['bash_1', { home: '/h', json: true }] });
    expect(words(['daemon', 'stop'])).toEqual({ cmd: 'daemon stop', args: [{}] });
    expect(words(['kill', 'a', 'b', '--grace', '1s'])).toEqual({ cmd: 'kill', args: [['a', 'b'], { grace: '1s' }] });
    expect(words(['kill', '--all'])).toEqual({ cmd: 'kill', args: [[], { all: true }] });
    expect(words(['orchestrate', 'dev', '-f', 'x.yaml', '--background', 'a', '--background', 'b'])).toEqual({
      cmd: 'orchestrate',
      args: ['dev', [], { file: 'x.yaml', background: ['a', 'b'] }],
    });
  });

  it('gives run and exec their options only before the command', () => {
    expect(words(['run', '--name', 'api', '--', 'node', 'api.js', '--port', '3'])).toEqual({
      cmd: 'run',
      args: [['node', 'api.js', '--port', '3'], { name: 'api' }],
    });
    expect(words(['run', '--env', 'A=1', 'npm', 'run', 'dev', '--host'])).toEqual({
      cmd: 'run',
      args: [['npm', 'run', 'dev', '--host'], { env: ['A=1'] }],
    });
    expect(words(['exec', '--', 'ls', '--help'])).toEqual({ cmd: 'exec', args: [['ls', '--help'], {}] });
  });

  it('leaves help, mistakes and unknown words to commander', () => {
    for (const argv of [
      [],
      ['--help'],
      ['ls', '-h'],
      ['--version'],
      ['frobnicate'],
      ['ls', '--bogus'],
      ['run'],
      ['run', '--'],
      ['run', '--restart', 'sometimes', '--', 'x'],
      ['run', '--name'],
      ['status'],
      ['status', 'a', 'b'],
      ['daemon'],
      ['hook'],
      ['--bogus', 'ls'],
    ]) {
      expect(parseFast(argv), argv.join(' ')).toBeNull();
    }
  });
});
