/**
 * `.env` files named by `env_file:` (src/config/envfile/dotenv.ts). The parser reads no file:
 * their contents come in by absolute path (the loader's reader reads the disk, see
 * load.test.ts); here they are given as a map, and no test reads the disk.
 */
import { describe, expect, it } from 'vitest';
import { parseEnvYaml } from '../../../src/config/envfile/index.js';
import { parseDotenv } from '../../../src/config/envfile/dotenv.js';
import { FILE, FIXTURES, parse, refusedAt, y } from './helpers.js';

const dir = '/srv/app';

describe('env_file', () => {
  it('reads a task env_file given as a single string, and CRLF .env files', () => {
    const files = { [`${dir}/crlf.env`]: 'A=1\r\nB="two words"\r\n# comment\r\n\r\nexport C=3\r\n' };
    const spec = parse(y('tasks:', '  a:', '    command: x', '    env_file: crlf.env'), {}, FILE, files);
    expect(spec.tasks[0]!.env).toEqual({ A: '1', B: 'two words', C: '3' });
  });

  it('lets a later env_file override an earlier one', () => {
    const files = { [`${dir}/one.env`]: 'A=1\nB=1\n', [`${dir}/two.env`]: 'B=2\n' };
    const spec = parse(y('tasks:', '  a:', '    command: x', '    env_file: [one.env, two.env]'), {}, FILE, files);
    expect(spec.tasks[0]!.env).toEqual({ A: '1', B: '2' });
  });

  it('variables are not expanded inside .env files', () => {
    const files = { [`${dir}/literal.env`]: 'A=${X}\nB="$X"\n' };
    const spec = parse(y('tasks:', '  a:', '    command: x', '    env_file: literal.env'), { X: 'x' }, FILE, files);
    expect(spec.tasks[0]!.env).toEqual({ A: '${X}', B: '$X' });
  });

  it('a quoted .env value followed by a comment loses its quotes', () => {
    const files = { [`${dir}/quoted-comment.env`]: 'A="quoted" # comment\nB=\'single\' # comment\n' };
    const spec = parse(y('tasks:', '  a:', '    command: x', '    env_file: quoted-comment.env'), {}, FILE, files);
    expect(spec.tasks[0]!.env).toEqual({ A: 'quoted', B: 'single' });
  });

  it('asks for an absolute env_file as written, and for ../ next to the folder of the file', () => {
    const files = { '/etc/app.env': 'A=1\n', '/srv/common.env': 'B=2\n' };
    const spec = parse(y('env_file: /etc/app.env', 'tasks:', '  a:', '    command: x', '    env_file: ../common.env'), {}, FILE, files);
    expect(spec.tasks[0]!.env).toEqual({ A: '1', B: '2' });
  });
});

describe('a bad corral.yaml is refused with file:line:col and what is wrong', () => {
  describe('env files', () => {
    it('a shared env_file that does not exist', () => {
      refusedAt(() => parse(y('env_file: nope.env', 'tasks:', '  a:', '    command: x')), FILE, 1, 11, 'env_file nope.env: no such file');
    });

    it('a task env_file that does not exist, at its entry in a list', () => {
      const files = { [`${dir}/exists.env`]: 'A=1\n' };
      refusedAt(
        () => parse(y('tasks:', '  a:', '    command: x', '    env_file: [exists.env, missing.env]'), {}, FILE, files),
        FILE,
        4,
        28,
        'env_file missing.env: no such file',
      );
      refusedAt(
        () => parse(y('tasks:', '  a:', '    command: x', '    env_file:', '      - exists.env', '      - missing.env'), {}, FILE, files),
        FILE,
        6,
        9,
        'env_file missing.env: no such file',
      );
      refusedAt(() => parse(y('tasks:', '  a:', '    command: x', '    env_file: missing.env'), {}, FILE, files), FILE, 4, 15, 'env_file missing.env: no such file');
    });

    it('a line of an env_file that is not NAME=value, at its own line', () => {
      const envFile = `${dir}/bad.env`;
      const files = { [envFile]: '# ok\nA=1\nnot a line\n' };
      refusedAt(() => parse(y('env_file: bad.env', 'tasks:', '  a:', '    command: x'), {}, FILE, files), envFile, 3, 1, 'an env file line is NAME=value');
    });
  });
});

describe('parseDotenv', () => {
  it('reads NAME=value lines: export, quotes, escapes in double quotes, comments after a value', () => {
    const text = ['# comment', '', 'export A=1', 'B = spaced ', 'C="a \\"b\\"\\nc"', "D='$x # kept'", 'E=v # gone', 'F=a#b', 'G=', 'H.I-J=dots'].join('\n');
    expect(parseDotenv('/x/.env', text)).toEqual({ A: '1', B: 'spaced', C: 'a "b"\nc', D: '$x # kept', E: 'v', F: 'a#b', G: '', 'H.I-J': 'dots' });
  });

  it('lets a later line override an earlier one', () => {
    expect(parseDotenv('/x/.env', 'A=1\nA=2\n')).toEqual({ A: '2' });
  });

  it('refuses a line that is not NAME=value at its line, in the file it names', () => {
    refusedAt(() => parseDotenv('/x/.env', 'A=1\n\n1A=2\n'), '/x/.env', 3, 1, 'an env file line is NAME=value');
    refusedAt(() => parseDotenv('/x/.env', 'just words'), '/x/.env', 1, 1, 'an env file line is NAME=value');
  });
});

describe('parsing is pure', () => {
  it('reads env_file contents only through the reader it is given: none of these paths exist', () => {
    const asked: string[] = [];
    const spec = parseEnvYaml('/nowhere/at/all/corral.yaml', y('env_file: shared.env', 'tasks:', '  a:', '    command: x', '    env_file: [a.env]'), {
      callerEnv: {},
      readEnvFile: (path) => {
        asked.push(path);
        return { '/nowhere/at/all/shared.env': 'S=1\n', '/nowhere/at/all/a.env': 'A=2\n' }[path];
      },
    });
    expect(spec.tasks[0]!.env).toEqual({ S: '1', A: '2' });
    expect(asked).toEqual(['/nowhere/at/all/shared.env', '/nowhere/at/all/a.env']);
  });

  it('does not read an env_file from the disk, even one that is there', () => {
    // fixtures/shared.env exists; without a reader, the parser has no file.
    const file = `${FIXTURES}/corral.yaml`;
    refusedAt(() => parseEnvYaml(file, y('env_file: shared.env', 'tasks:', '  a:', '    command: x'), { callerEnv: {} }), file, 1, 11, 'env_file shared.env: no such file');
  });

  it('does not read this process environment: only the callerEnv it is given', () => {
    const key = 'CORRAL_ENVFILE_PURE_VALUE';
    process.env[key] = 'from-process';
    try {
      const text = y('tasks:', '  a:', '    command: x', `    env: { V: "\${${key}:-unset}" }`);
      expect(parseEnvYaml(FILE, text).tasks[0]!.env.V).toBe('unset');
      expect(parseEnvYaml(FILE, text, { callerEnv: { [key]: 'given' } }).tasks[0]!.env.V).toBe('given');
    } finally {
      delete process.env[key];
    }
  });
});
