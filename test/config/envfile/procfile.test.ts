/**
 * Procfiles (src/config/envfile/procfile.ts): `name: command` lines, refused with their line.
 */
import { describe, expect, it } from 'vitest';
import { parseProcfile } from '../../../src/config/envfile/index.js';
import { refusedAt } from './helpers.js';

describe('Procfiles', () => {
  it('trims commands and accepts a missing space and no final newline', () => {
    const spec = parseProcfile('/app/Procfile', 'web:npm start\n\nworker:    node w.js   \n# done\napi: node api.js');
    expect(spec.tasks.map((t) => [t.name, t.command])).toEqual([
      ['web', 'npm start'],
      ['worker', 'node w.js'],
      ['api', 'node api.js'],
    ]);
    expect(spec.name).toBe('app');
    expect(spec.tasks[0]!.cwd).toBe('/app');
  });

  it('refuses a line that is not "name: command", with its line number', () => {
    refusedAt(() => parseProcfile('/app/Procfile', 'web: npm start\n# c\nworker node w.js\n'), '/app/Procfile', 3, 1, 'a Procfile line is "name: command"');
    refusedAt(() => parseProcfile('/app/Procfile', 'web:\n'), '/app/Procfile', 1, 1, 'a Procfile line is "name: command"');
    refusedAt(() => parseProcfile('/app/Procfile', 'web: x\n  worker: y\n'), '/app/Procfile', 2, 1, 'a Procfile line is "name: command"');
    refusedAt(() => parseProcfile('/app/Procfile', 'my web: x\n'), '/app/Procfile', 1, 1, 'a Procfile line is "name: command"');
  });

  it('refuses a name defined twice, at the second line', () => {
    refusedAt(() => parseProcfile('/app/Procfile', 'web: a\nworker: b\n\nweb: c\n'), '/app/Procfile', 4, 1, '"web" is defined twice');
  });

  it('refuses a name that is not a task name', () => {
    refusedAt(() => parseProcfile('/app/Procfile', 'web: a\n1worker: b\n'), '/app/Procfile', 2, 1, '"1worker" is not a task name');
    refusedAt(() => parseProcfile('/app/Procfile', 'web: a\nbash_2: b\n'), '/app/Procfile', 2, 1, '"bash_2": a name cannot look like a task id');
  });

  it('refuses a name that reads as a task id, at its line', () => {
    refusedAt(() => parseProcfile('/app/Procfile', 'web: a\nbash_5: b\n'), '/app/Procfile', 2, 1, '"bash_5": a name cannot look like a task id (bash_N)');
    expect(parseProcfile('/app/Procfile', 'bash_web: a\nbash5: b\n').tasks.map((t) => t.name)).toEqual(['bash_web', 'bash5']);
  });

  it('refuses a Procfile without processes', () => {
    refusedAt(() => parseProcfile('/app/Procfile', ''), '/app/Procfile', 1, 1, 'the Procfile has no processes');
    refusedAt(() => parseProcfile('/app/Procfile', '# nothing\n\n'), '/app/Procfile', 1, 1, 'the Procfile has no processes');
  });
});

describe('fixed bugs', () => {
  it('a Procfile with CRLF line ends is read', () => {
    const spec = parseProcfile('/app/Procfile', 'web: npm start\r\nworker: node w.js\r\n');
    expect(spec.tasks.map((t) => [t.name, t.command])).toEqual([
      ['web', 'npm start'],
      ['worker', 'node w.js'],
    ]);
  });
});
