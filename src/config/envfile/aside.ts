/**
 * Big env files are read in a worker thread: parsing and checking 10,000 tasks takes a
 * second or more, which the daemon's other clients should not wait through. Small files,
 * the usual case, are read in place, without the cost of starting a thread.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CorralError, failure } from '../../errors.js';
import { loadEnvFile } from './load.js';
import type { EnvSpec, LoadOptions } from './spec.js';

/** From this size on, a file is read aside (about a thousand tasks). */
export const ASIDE_BYTES = 64 * 1024;

/** The built worker; absent when the sources run unbuilt (the tests), which read every file in place. */
const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export interface WorkerAnswer {
  spec?: EnvSpec;
  error?: { kind: 'usage' | 'failed' | 'not-found'; template: string };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** `loadEnvFile`, in a worker thread when the file is big. */
export function loadEnvFileAside(path: string, options: LoadOptions): Promise<EnvSpec> {
  if (sizeOf(path) < ASIDE_BYTES || !existsSync(WORKER)) return Promise.resolve().then(() => loadEnvFile(path, options));
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { path, options } });
    let answered = false;
    worker.once('message', (answer: WorkerAnswer) => {
      answered = true;
      if (answer.spec) resolve(answer.spec);
      else reject(new CorralError(answer.error?.kind ?? 'failed', answer.error?.template ?? `${path}: could not be read`));
    });
    worker.once('error', (error) => reject(failure(`${path}: could not be read (${error.message})`)));
    worker.once('exit', (code) => answered || reject(failure(`${path}: could not be read (the reader exited ${code})`)));
  });
}
