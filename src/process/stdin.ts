/**
 * Input to a running task (`stdin: pipe`): its monitor made a FIFO in the home's run folder
 * and gave its read end to the command as stdin (spawner.c). Writing opens the FIFO by its
 * path, so any daemon can write to a task, the one that started it or a later one; ending
 * the input removes the FIFO and tells the monitor (SIGURG) to let go of its write end.
 */
import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';
import type { ProcessInfo } from '../../machines/task.types.js';
import { isAlive } from './procfs.js';

export class StdinError extends Error {}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** Writes `data` to the FIFO without ever blocking the daemon; returns the bytes written. */
export function writeStdin(fifo: string, data: Buffer): number {
  let fd: number;
  try {
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (code(error) === 'ENOENT') throw new StdinError('its input was ended (send --eof)');
    if (code(error) === 'ENXIO') throw new StdinError('it has closed its stdin');
    throw error;
  }
  let written = 0;
  try {
    while (written < data.length) written += writeSync(fd, data, written);
  } catch (error) {
    if (code(error) === 'EAGAIN') throw new StdinError(`its stdin is full (the command is not reading): ${written} of ${data.length} bytes written`);
    if (code(error) === 'EPIPE') throw new StdinError('it has closed its stdin');
    throw error;
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Ends the task's input: once what was written is read, the command reads the end of file. */
export function endStdin(fifo: string, process: ProcessInfo): void {
  rmSync(fifo, { force: true });
  if (isAlive(process.monitorPid, process.monitorStart)) globalThis.process.kill(process.monitorPid, 'SIGURG');
}
