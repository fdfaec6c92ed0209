import { describe, expect, it } from 'vitest';
import { keyAction, moveSelection } from '../../web/src/lib/keys.js';
import { parseRoute, taskHref } from '../../web/src/lib/route.js';

describe('keys', () => {
  it('maps the terminal UI’s keys', () => {
    expect(['j', 'ArrowDown', 'k', 'ArrowUp', 'Enter', 'K', 'r', '/', '?'].map((key) => keyAction({ key }))).toEqual([
      'down', 'down', 'up', 'up', 'open', 'kill', 'restart', 'filter', 'help',
    ]);
    expect(keyAction({ key: 'k', ctrlKey: true })).toBeNull();
  });

  it('only Escape counts while typing in the filter', () => {
    expect(keyAction({ key: 'j', typing: true })).toBeNull();
    expect(keyAction({ key: 'Escape', typing: true })).toBe('back');
  });

  it('moves the selection within bounds', () => {
    const order = ['a', 'b', 'c'];
    expect(moveSelection(order, null, 'down')).toBe('a');
    expect(moveSelection(order, null, 'up')).toBe('c');
    expect(moveSelection(order, 'c', 'down')).toBe('c');
    expect(moveSelection(order, 'b', 'up')).toBe('a');
    expect(moveSelection(order, 'a', 'last')).toBe('c');
    expect(moveSelection([], 'a', 'down')).toBeNull();
  });
});

describe('routes', () => {
  it('reads and writes task links with an offset', () => {
    expect(parseRoute('#/task/ab12?offset=4096&stream=stderr')).toEqual({ view: 'task', id: 'ab12', offset: 4096, stream: 'stderr' });
    expect(parseRoute(taskHref('dev/api', { offset: 7 }))).toEqual({ view: 'task', id: 'dev/api', offset: 7, stream: null });
    expect(parseRoute('#/task/x?offset=-1')).toMatchObject({ offset: null });
    expect(parseRoute('#/graph/dev')).toEqual({ view: 'graph', env: 'dev' });
    expect(parseRoute('')).toEqual({ view: 'list' });
  });
});
