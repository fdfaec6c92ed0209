/** The worker thread of aside.ts: loads one env file and posts its EnvSpec, or the error. */
import { parentPort, workerData } from 'node:worker_threads';
import { CorralError } from '../../errors.js';
import type { WorkerAnswer } from './aside.js';
import { loadEnvFile } from './load.js';
import type { LoadOptions } from './spec.js';

const { path, options } = workerData as { path: string; options: LoadOptions };
let answer: WorkerAnswer;
try {
  answer = { spec: loadEnvFile(path, options) };
} catch (error) {
  answer = { error: error instanceof CorralError ? { kind: error.kind, template: error.template } : { kind: 'failed', template: `${path}: ${(error as Error).message}` } };
}
parentPort!.postMessage(answer);
