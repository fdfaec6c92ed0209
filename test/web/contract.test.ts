/**
 * The page keeps its own copy of the API's shapes (web/src/lib/types.ts: it compiles for the
 * browser, apart from src/). These checks hold the copy to the server's types, so that a
 * field renamed or retyped in src/api.ts or src/logs/window.ts fails `npm run typecheck`
 * (and this test) instead of showing blanks in the page.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { TaskView } from '../../src/api.js';
import type { LogWindow as ServerWindow } from '../../src/logs/window.js';
import type { LogWindow, Task } from '../../web/src/lib/types.js';

describe("the page's copy of the API's shapes", () => {
  it('is what the server sends: a task of /api/tasks, a log window', () => {
    // /api/tasks sends each TaskView with the ports its tree listens on.
    expectTypeOf<TaskView & { ports?: number[] }>().toExtend<Task>();
    // The log route sends the window with the stream it read.
    expectTypeOf<ServerWindow & { stream: string }>().toExtend<LogWindow>();
    // Every field the page reads of a task is one the server has (none the page made up).
    expectTypeOf<Exclude<keyof Task, 'ports'>>().toExtend<keyof TaskView>();
  });
});
