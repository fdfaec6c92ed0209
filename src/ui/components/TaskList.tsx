/**
 * The task table: a column header and as many rows as fit in `height`, windowed around
 * the selected task (200 tasks draw as fast as 20). Environments are group rows with
 * their tasks indented under them.
 */
import { Box, Text } from 'ink';
import { cellText, fit, HEALTH_COLOR, layoutColumns, STATUS_COLOR, summary, windowStart, type Column, type Row } from '../format.js';
import { Line, tint } from './Text.js';

interface TaskListProps {
  rows: Row[];
  selectedId: string | null;
  /** Ids with a kill or restart under way. */
  busy?: ReadonlyMap<string, string>;
  width: number;
  /** Lines for the whole table, its header included. */
  height: number;
  /** Index of the first row shown (see `listWindow`). */
  top: number;
  now: number;
  color: boolean;
  /** Shown instead of rows when there are none. */
  empty?: string;
}

function cellColor(column: Column, text: string): string | undefined {
  if (column.key === 'status') return STATUS_COLOR[text];
  if (column.key === 'health') return HEALTH_COLOR[text];
  return undefined;
}

/** Rows of the table that fit in `height` lines (one is the column header). */
const listRowsFor = (height: number): number => Math.max(0, height - 1);

/**
 * The first row to show: the previous window, moved as little as needed to show the
 * selected task (and its group's row when it is the group's first task).
 */
export function listWindow(previousTop: number, rows: Row[], selectedId: string | null, height: number): number {
  const selectedIndex = rows.findIndex((r) => r.kind === 'task' && r.task.id === selectedId);
  let top = windowStart(previousTop, selectedIndex, listRowsFor(height), rows.length);
  if (top > 0 && top === selectedIndex && rows[top - 1]?.kind === 'group') top -= 1;
  return top;
}

/** `21–40 of 200` when the rows do not all fit, else ''. */
/** Which tasks the window shows, `21–39 of 200`, when it does not show them all; group rows are not tasks. */
export function listPosition(rows: Row[], top: number, height: number): string {
  if (rows.length <= listRowsFor(height)) return '';
  const isTask = (r: Row) => r.kind === 'task';
  const before = rows.slice(0, top).filter(isTask).length;
  const shown = rows.slice(top, top + listRowsFor(height)).filter(isTask).length;
  return shown === 0 ? '' : `${before + 1}–${before + shown} of ${rows.filter(isTask).length}`;
}

export function TaskList({ rows, selectedId, busy, width, height, top, now, color, empty }: TaskListProps) {
  const { columns, gap } = layoutColumns(rows, width, now);
  const visible = rows.slice(top, top + listRowsFor(height));
  const space = ' '.repeat(gap);
  const last = columns.length - 1;
  const header = ' ' + columns.map((c) => fit(c.title, c.width)).join(space);

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line bold>{header}</Line>
      {visible.length === 0 ? <Line dim>{empty ?? 'no tasks'}</Line> : null}
      {visible.map((row) => {
        if (row.kind === 'group') {
          return (
            <Line key={`env:${row.env}`} bold color={tint(color, 'blue')}>
              {fit(` ▾ ${row.env} · ${summary(row.tasks)}`, width)}
            </Line>
          );
        }
        const t = row.task;
        const selected = t.id === selectedId;
        const pending = busy?.get(t.id);
        return (
          <Text key={t.id} wrap="truncate-end" inverse={selected}>
            {selected ? '▸' : ' '}
            {columns.map((c, i) => {
              let text = cellText(c.key, t, now);
              if (c.key === 'id' && row.indent) text = `  ${text}`;
              if (c.key === 'status' && pending) text = pending;
              const cell = i === last ? fit(text, Math.max(1, c.width)) : fit(text, c.width);
              const hue = tint(color, cellColor(c, text));
              return (
                <Text key={c.key} {...(hue && !selected ? { color: hue } : {})}>
                  {cell}
                  {i === last ? '' : space}
                </Text>
              );
            })}
          </Text>
        );
      })}
    </Box>
  );
}
