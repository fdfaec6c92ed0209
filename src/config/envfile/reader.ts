/**
 * The env-file reader's own process (see aside.ts): reads one request from stdin (the
 * file's path and the load options), writes one answer to stdout, and exits. Both are in
 * V8's serialization, as a worker's messages are: whatever an EnvSpec holds comes back as it was.
 */
import { deserialize, serialize } from 'node:v8';
import { CorralError } from '../../errors.js';
import type { ReaderAnswer, ReaderRequest } from './aside.js';
import { loadEnvFile } from './load.js';

const chunks: Buffer[] = [];
process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
process.stdin.on('end', () => {
  const { path, options } = deserialize(Buffer.concat(chunks)) as ReaderRequest;
  let answer: ReaderAnswer;
  try {
    answer = { spec: loadEnvFile(path, options) };
  } catch (error) {
    answer = { error: error instanceof CorralError ? { kind: error.kind, template: error.template } : { kind: 'failed', template: `${path}: ${(error as Error).message}` } };
  }
  process.stdout.write(serialize(answer));
});
