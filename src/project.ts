/**
 * Which project a folder belongs to: the root of its git work tree (the nearest folder
 * upwards holding `.git`, a folder or, in a linked work tree, a file), else the folder
 * itself. Read from the file system alone: no git process per task.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function projectOf(folder: string): string {
  const start = resolve(folder);
  for (let at = start; ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return at;
    if (dirname(at) === at) return start;
  }
}

/** projectOf with a memory, for many tasks sharing a few folders (an env file's). */
export function projectFinder(): (folder: string) => string {
  const known = new Map<string, string>();
  return (folder) => {
    let project = known.get(folder);
    if (project === undefined) known.set(folder, (project = projectOf(folder)));
    return project;
  };
}
