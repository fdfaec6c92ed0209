import { describe, expect, it } from 'vitest';
import { cliWording } from '../src/cli/wording.js';
import { CorralError, field, see, usageError } from '../src/errors.js';
import { mcpWording } from '../src/mcp/errors.js';

describe('errors name the field at fault, each front end in its own words', () => {
  const error = usageError(`${field('maxBytes')}: "0" is not a positive number`);

  it('keeps the field as a canonical key, and its message canonical for logs and raw RPC', () => {
    expect(error.field).toBe('maxBytes');
    expect(error.message).toBe('maxBytes: "0" is not a positive number');
    expect(error.exitCode).toBe(2);
  });

  it('the CLI names flags, the MCP server tool arguments', () => {
    expect(error.worded(cliWording)).toBe('--max-bytes: "0" is not a positive number');
    expect(error.worded(mcpWording)).toBe('max_bytes: "0" is not a positive number');
    const twoStarts = usageError(`${field('new')} and ${field('offset')} both say where to start`);
    expect(twoStarts.worded(cliWording)).toBe('--new and --offset both say where to start');
    expect(usageError(`${field('tail')} and ${field('offset')} clash`).worded(mcpWording)).toBe('tail and since clash');
    expect(usageError(`${field('newAs')}: bad`).worded(cliWording)).toBe('--as: bad');
    expect(usageError(`${field('stopSignal')}: bad`).worded(mcpWording)).toBe('signal: bad');
  });

  it('points to the command to use, as each front end calls it', () => {
    const unknown = new CorralError('not-found', `no task "x": see ${see('list')} for ids and names`);
    expect(unknown.worded(cliWording)).toBe('no task "x": see `corral ls` for ids and names');
    expect(unknown.worded(mcpWording)).toBe('no task "x": see background_list for ids and names');
    const up = new CorralError('failed', `run ${see('down', 'dev')} first`);
    expect(up.worded(cliWording)).toBe('run `corral down dev` first');
    expect(up.worded(mcpWording)).toBe('run background_kill with env "dev" first');
    expect(unknown.field).toBeNull();
  });

  it('leaves text that is no placeholder alone, whatever it holds', () => {
    const odd = usageError(`${field('filter')}: "{a}⟨b" is not valid`);
    expect(odd.worded(cliWording)).toBe('--filter: "{a}⟨b" is not valid');
  });
});
