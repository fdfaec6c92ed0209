/**
 * Big env files are read in a process of their own, which exits once it has answered:
 * checking 10,000 tasks takes a second or more, which the daemon's other clients should not
 * wait through, and the process gives back all it allocated (a worker thread left the
 * daemon about 5 MB bigger for good). Small files, the usual case, are read in place: a
 * process costs about 130 ms more per read, which `up --watch-file` would pay on every
 * save; the reader's packages then stay loaded (about 3 MB). Unbuilt sources (the tests)
 * read every file in place.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { CorralError, failure } from '../../errors.js';
import type { EnvSpec, LoadOptions } from './spec.js';

/** The built reader; absent when the sources run unbuilt (the tests), which read every file in place. */
const READER = fileURLToPath(new URL('./reader.js', import.meta.url));
/** Lite mode: the reader runs once, and starts faster without the optimising compilers. */
const READER_NODE_FLAGS = ['--lite-mode'];

export interface ReaderRequest {
  path: string;
  options: LoadOptions;
}

export interface ReaderAnswer {
  spec?: EnvSpec;
  error?: { kind: 'usage' | 'failed' | 'not-found'; template: string };
}

/** From this size on, a file is read aside (about a thousand tasks). */
export const ASIDE_BYTES = 64 * 1024;

/** `loadEnvFile`, in a process of its own when the file is big. Relative paths are the current folder's, as in place. */
export async function loadEnvFileAside(path: string, options: LoadOptions): Promise<EnvSpec> {
  if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) < ASIDE_BYTES || !existsSync(READER)) return (await import('./load.js')).loadEnvFile(path, options);
  const answer = await ask({ path, options });
  if (answer.spec) return answer.spec;
  throw new CorralError(answer.error?.kind ?? 'failed', answer.error?.template ?? `${path}: could not be read`);
}

function ask(request: ReaderRequest): Promise<ReaderAnswer> {
  const { path } = request;
  return new Promise((resolve, reject) => {
    const reader = spawn(process.execPath, [...READER_NODE_FLAGS, READER], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    reader.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    reader.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A reader that exits early closes its stdin under the write: its exit says why.
    reader.stdin.on('error', () => {});
    reader.once('error', (error) => reject(failure(`${path}: could not be read (${error.message})`)));
    reader.once('close', (code, signal) => {
      if (code === 0 && out.length) {
        try {
          return resolve(deserialize(Buffer.concat(out)) as ReaderAnswer);
        } catch {
          // An answer cut short: said as the exit below.
        }
      }
      const why = stderr.trim().split('\n').filter(Boolean).pop();
      reject(failure(`${path}: could not be read (the reader exited ${signal ?? code}${why ? `: ${why}` : ''})`));
    });
    reader.stdin.end(serialize(request));
  });
}
