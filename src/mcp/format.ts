/** Compact text for a model: task lines, tables, byte counts, output pages. */
import { counted } from '../../machines/counted.js';
import { formatDuration } from '../../machines/duration.js';
import { isFinal } from '../../machines/task.types.js';
import type { TaskView } from '../api.js';
import { stripAnsi, uptimeMs } from '../text.js';
import type { Page, StreamPage } from './read.js';

/** `812 bytes`, `4.5 KB`, `1.2 MB`. */
export function bytesText(n: number): string {
  const one = (v: number) => v.toFixed(1).replace(/\.0$/, '');
  if (n < 1024) return counted(n, 'byte');
  if (n < 1024 ** 2) return `${one(n / 1024)} KB`;
  if (n < 1024 ** 3) return `${one(n / 1024 ** 2)} MB`;
  return `${one(n / 1024 ** 3)} GB`;
}

/** `running, pid 4242, healthy, up 12s` · `failed: exit 3` · `killed: SIGKILL after 5s grace`. */
export function statusText(t: TaskView): string {
  if (isFinal(t.status)) return `${t.status}${t.reason ? `: ${t.reason}` : ''}`;
  const parts: string[] = [t.status];
  if (t.pid !== null) parts.push(`pid ${t.pid}`);
  if (t.healthReason && t.health !== 'unknown') parts.push(t.healthReason);
  else if (t.health) parts.push(`health ${t.health}`);
  const up = uptimeMs(t);
  if (up !== null && t.status === 'running') parts.push(`up ${formatDuration(up)}`);
  if (t.restarts > 0) parts.push(counted(t.restarts, 'restart'));
  if (t.reason && !isFinal(t.status)) parts.push(t.reason);
  return parts.join(', ');
}

export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}


interface PageTextOptions {
  filter?: string | undefined;
  newMode: boolean;
}

/**
 * One stream of a page: a header line with the byte range, the text, and what was cut
 * (`[... 1.2 MB omitted; read from offset 4096 to see it]`).
 */
function streamText(stream: string, p: StreamPage, options: PageTextOptions): string {
  const range = `bytes ${p.from}-${p.next} of ${p.size}`;
  const body = stripAnsi(p.data);
  const lines: string[] = [];
  const again = options.newMode ? ', or call again with since "new"' : '';
  if (body.length === 0) {
    if (p.note) lines.push(`${stream}: ${p.note}`);
    else if (options.filter !== undefined && p.next > p.from) lines.push(`${stream}: no line matches /${options.filter}/ in ${range}`);
    else if (options.newMode && p.omitted === 0) lines.push(`${stream}: nothing new (at byte ${p.next})`);
    else lines.push(`${stream}: empty (${range})`);
  } else {
    const what = options.filter === undefined ? range : p.tail ? `last lines matching /${options.filter}/, ${range}` : `lines matching /${options.filter}/ in ${range}`;
    lines.push(`${stream} (${what}):`);
    lines.push(body.endsWith('\n') ? body.slice(0, -1) : body);
  }
  if (p.trimmed) lines.push(`[... ${bytesText(p.trimmed)} before byte ${p.from} were released by the log cap and cannot be read]`);
  if (p.omitted > 0) {
    if (p.tail) {
      lines.push(`[... ${bytesText(p.omitted)} before this omitted; read from offset ${p.from - p.omitted} to see it]`);
    } else if (options.filter !== undefined) {
      lines.push(`[... the page is full: ${bytesText(p.omitted)} after byte ${p.next} not searched yet; read from offset ${p.next}${again} with the same filter to go on]`);
    } else {
      lines.push(`[... ${bytesText(p.omitted)} omitted; read from offset ${p.next} to see it${again}]`);
    }
  }
  return lines.join('\n');
}

const silent = (p: StreamPage) => p.data.length === 0 && p.omitted === 0 && p.next === p.from && !p.note;

/** Both streams of a page, stdout first; stderr left out when it has nothing to say. */
export function pageText(page: Page, options: PageTextOptions): string {
  const { stdout, stderr } = page.streams;
  // Nothing new on either stream: one line that names both.
  if (options.newMode && stdout && stderr && silent(stdout) && silent(stderr)) {
    return `nothing new on stdout or stderr (at bytes ${stdout.next}/${stderr.next})`;
  }
  const parts: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const p = page.streams[stream];
    if (!p) continue;
    if (stream === 'stderr' && silent(p) && stdout) continue;
    parts.push(streamText(stream, p, options));
  }
  return parts.join('\n');
}

/** `18:42:10Z (5m12s ago)`; a day or more back, with its date: `2026-12-01 18:42Z (1d02h ago)`. */
export function whenText(iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  const ago = Math.max(0, now - at);
  const stamp = new Date(at).toISOString();
  const clock = ago < 86_400_000 ? `${stamp.slice(11, 19)}Z` : `${stamp.slice(0, 10)} ${stamp.slice(11, 16)}Z`;
  return `${clock} (${ago < 1_000 ? 'just now' : `${formatDuration(ago)} ago`})`;
}
