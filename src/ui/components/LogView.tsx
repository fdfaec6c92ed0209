/** A task's full log, scrollable, following new output while at the end. */
import { Box } from 'ink';
import { counted } from '../../../machines/counted.js';
import type { LogState } from '../hooks.js';
import { logFirstLine } from '../keys.js';
import { Line } from './Text.js';

interface LogViewProps {
  log: LogState;
  /** First line shown; null = the end, following. */
  top: number | null;
  width: number;
  height: number;
}

export function LogView({ log, top, width, height }: LogViewProps) {
  const rows: { key: string; text: string; dim?: boolean }[] = [];
  if (log.error) rows.push({ key: 'error', text: log.error, dim: true });
  if (!log.loaded && !log.error) rows.push({ key: 'loading', text: 'loading…', dim: true });
  else if (log.loaded && log.lines.length === 0) rows.push({ key: 'empty', text: '(no output yet)', dim: true });
  const room = Math.max(0, height - rows.length);
  const first = logFirstLine(top, log.lines.length, room);
  if (first === 0 && (log.skippedBytes > 0 || log.droppedLines > 0) && room > 0) {
    const what = log.skippedBytes > 0 ? counted(log.skippedBytes, 'earlier byte') : counted(log.droppedLines, 'earlier line');
    rows.push({ key: 'skipped', text: `… ${what} not loaded (corral logs shows everything)`, dim: true });
  }
  const fit = Math.max(0, height - rows.length);
  log.lines.slice(first, first + fit).forEach((text, i) => rows.push({ key: `l:${first + i}`, text }));
  return (
    <Box flexDirection="column" width={width} height={height}>
      {rows.map((r) => (
        <Line key={r.key} dim={r.dim === true}>
          {` ${r.text}`}
        </Line>
      ))}
    </Box>
  );
}
