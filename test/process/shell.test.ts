import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote, simpleWords } from '../../machines/shell-words.js';
import { commandForShell } from '../../src/process/shell.js';

describe('simpleWords', () => {
  it.each([
    ['sleep 300', ['sleep', '300']],
    ['  node api.js   --port 3000 ', ['node', 'api.js', '--port', '3000']],
    ['\n\tsleep 5\n', ['sleep', '5']],
    ['node x.js --port=3000', ['node', 'x.js', '--port=3000']],
    [`python3 -c 'import sys; print(1)'`, ['python3', '-c', 'import sys; print(1)']],
    [`echo2 'it'\\''s' ''`, ['echo2', "it's", '']],
    [`sh -c 'trap "exit 7" INT\nsleep 9'`, ['sh', '-c', 'trap "exit 7" INT\nsleep 9']],
    [`/usr/bin/env a'b c'd`, ['/usr/bin/env', 'ab cd']],
  ])('runs %j without a shell', (command, words) => {
    expect(simpleWords(command)).toEqual(words);
  });

  it.each([
    'echo hi && ls',
    'cat < in',
    'ls *.js',
    'echo $HOME',
    'echo "double"',
    'FOO=1 node x.js',
    'cd /tmp',
    'exit 3',
    'sleep 1; sleep 2',
    'a\tb',
    '~/bin/x',
    'x # comment',
    "'exit' 3",
    "ex''it 4",
    'chdir /tmp',
    'source x.sh',
    '\ufeffsleep 1',
    'sleep 1\r',
    'node a.js\u00a0',
    `echo 'unclosed`,
    '',
    '   ',
  ])('leaves %j to the shell', (command) => {
    expect(simpleWords(command)).toBeNull();
  });

  it('reads back every word that shellQuote wrote, exactly as the shell would', () => {
    const args = [`it's`, '', 'x=y', '$HOME', 'π ü', '*', 'a\nb', `"a b" 'c'`, '\\'];
    const words = ['node', '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...args];
    const command = words.map(shellQuote).join(' ');
    expect(simpleWords(command)).toEqual(words);
    const viaShell = execFileSync('/bin/sh', ['-c', commandForShell(command)], { encoding: 'utf8' });
    expect(JSON.parse(viaShell)).toEqual(args);
  });

  it('puts exec in front of a simple command only', () => {
    expect(commandForShell(` python3 -c 'print(1)' `)).toBe(`exec python3 -c 'print(1)'`);
    expect(commandForShell('echo hi && ls')).toBe('echo hi && ls');
  });
});
