import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { terminalWidth } from '../../src/cli/output.js';
import { table } from '../../src/text.js';
import { cleanupHome, CLI, cli, makeHome, waitFor } from '../helpers.js';
import { tmuxServer, type TmuxServer } from '../tmux.js';

describe('a table cut to a width', () => {
  const rows = [
    ['bash_1', 'x'.repeat(200)],
    ['bash_22', 'short'],
  ];

  it('cuts the last column with an ellipsis so that every line fits, and leaves shorter cells alone', () => {
    const lines = table(['ID', 'COMMAND'], rows, 40).split('\n');
    expect(lines).toEqual(['ID       COMMAND', `bash_1   ${'x'.repeat(30)}…`, 'bash_22  short']);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(40);
  });

  it('keeps a few characters of the last column in a terminal narrower than the other columns', () => {
    expect(table(['ID', 'COMMAND'], rows, 5).split('\n')[1]).toBe(`bash_1   ${'x'.repeat(11)}…`);
  });

  it('cuts nothing without a width', () => {
    expect(table(['ID', 'COMMAND'], rows).split('\n')[1]).toBe(`bash_1   ${'x'.repeat(200)}`);
  });
});

describe('the width of the terminal output goes to', () => {
  it('is none for a pipe or a file, the terminal width for a terminal, and COLUMNS when it is set', () => {
    expect(terminalWidth({ isTTY: false, columns: 80 }, {})).toBeNull();
    expect(terminalWidth({}, { COLUMNS: '120' })).toBeNull();
    expect(terminalWidth({ isTTY: true, columns: 90 }, {})).toBe(90);
    expect(terminalWidth({ isTTY: true, columns: 90 }, { COLUMNS: '120' })).toBe(120);
    expect(terminalWidth({ isTTY: true, columns: 90 }, { COLUMNS: 'wide' })).toBe(90);
  });
});

describe('corral ls', () => {
  let home: string;
  let tmux: TmuxServer;
  beforeEach(() => {
    home = makeHome();
    tmux = tmuxServer('ls');
  });
  afterEach(async () => {
    tmux.kill();
    await cleanupHome(home);
  });

  it('cuts a long command to the terminal width in a terminal, and prints it whole through a pipe', async () => {
    const long = `sleep 30 # ${'x'.repeat(5_000)}`;
    expect((await cli(home, ['run', '--', long])).code).toBe(0);
    tmux('new-session', '-d', '-s', 'ls', '-x', '100', '-y', '20', `env CORRAL_HOME=${home} NO_COLOR=1 ${process.execPath} ${CLI} ls; echo "ls exited $?"; sleep 30`);
    const screen = () => tmux('capture-pane', '-p', '-J', '-t', 'ls');
    await waitFor(() => /ls exited 0/.test(screen()), 'ls to print', 15_000);
    const row = screen()
      .split('\n')
      .find((l) => l.startsWith('bash_1'))!;
    expect(row).toMatch(/ sleep 30 # x+…$/);
    expect([...row].length).toBe(100);

    const piped = (await cli(home, ['ls'])).stdout.split('\n')[1]!;
    expect(piped.endsWith(long)).toBe(true);
  });
});
