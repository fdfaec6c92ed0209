/**
 * Ports `corral init` can know: written in a command (`--port 4000`, `PORT=4000`, `-p 4000`,
 * `127.0.0.1:8000`) or in the source file a command runs (`.listen(4000)`, `PORT || 4000`).
 * A port found this way becomes a tcp check; without one, a server gets `listen: true`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InitHealth } from './types.js';

const PORT_IN_COMMAND = [
  /(?:^|\s)--port[=\s]+(\d{2,5})\b/,
  /(?:^|\s)-p\s*(\d{2,5})\b/,
  /(?:^|\s)PORT=(\d{2,5})\b/,
  /(?:^|[\s/=])(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::\]|\[::1\]):(\d{2,5})\b/,
  /(?:^|\s)--bind[=\s]+\S*:(\d{2,5})\b/,
  /(?:runserver|http\.server)\s+(?:\S+:)?(\d{2,5})\b/,
];

const PORT_IN_SOURCE = [
  /\.listen\(\s*(\d{2,5})\b/,
  /PORT\b[^\n]{0,40}?(?:\|\||\?\?|\bor\b|,)\s*['"]?(\d{2,5})\b/,
  /\bport\s*[:=]\s*['"]?(\d{2,5})\b/i,
  /ListenAndServe\(\s*"[^"]*:(\d{2,5})"/,
  /"(?:127\.0\.0\.1|0\.0\.0\.0|localhost)?:(\d{2,5})"/,
];

function valid(text: string | undefined): number | null {
  if (text === undefined) return null;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : null;
}

export function portInCommand(command: string): number | null {
  for (const re of PORT_IN_COMMAND) {
    const port = valid(re.exec(command)?.[1]);
    if (port !== null) return port;
  }
  return null;
}

/** A port the source text sets for its server, or null. */
export function portInSource(text: string): number | null {
  for (const re of PORT_IN_SOURCE) {
    const port = valid(re.exec(text)?.[1]);
    if (port !== null) return port;
  }
  return null;
}

/** The files a command runs that may say its port: `node api.js` → api.js. */
export function sourceFilesOf(command: string): string[] {
  return command.split(/\s+/).filter((word) => /\.(m?[jt]s|cjs|py|rb|go|rs)$/.test(word));
}

export interface KnownPort {
  port: number;
  /** Where it was written: `the command`, `api.js`. */
  where: string;
}

export function findPort(dir: string, command: string): KnownPort | null {
  const inCommand = portInCommand(command);
  if (inCommand !== null) return { port: inCommand, where: 'the command' };
  for (const file of sourceFilesOf(command)) {
    const path = join(dir, file);
    if (!existsSync(path) || !statSync(path).isFile()) continue;
    const port = portInSource(readFileSync(path, 'utf8'));
    if (port !== null) return { port, where: file };
  }
  return null;
}

/** The check for a server: tcp on a known port, else "a process of it listens". */
export function serverHealth(known: KnownPort | null): { health: InitHealth; why: string } {
  if (known) return { health: { tcp: `localhost:${known.port}` }, why: `ready when port ${known.port} (in ${known.where}) accepts connections` };
  return { health: { listen: true }, why: 'no port written anywhere: ready when it listens on one' };
}

/** A compiled program's check: its port when its source has one, `listen` when it looks like a server, else none (ready once started). */
export function programHealth(source: string, where: string): { health?: InitHealth; why: string } {
  const port = portInSource(source);
  if (port !== null) return serverHealth({ port, where });
  if (/listen|bind|serve/i.test(source)) return serverHealth(null);
  return { why: 'serves nothing corral can see: ready once started' };
}
