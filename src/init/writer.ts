/**
 * The corral.yaml `corral init` writes: one task per finding, the reason above each, in the
 * order found (steps before what waits for them). Written with the yaml library so that any
 * command, quotes and colons included, comes out as valid YAML.
 */
import { Document, isMap, isPair, type Pair, type YAMLMap } from 'yaml';
import type { InitTask } from './types.js';

export function envFileText(name: string, tasks: InitTask[], sources: string[]): string {
  const body: Record<string, unknown> = {};
  for (const task of tasks) {
    body[task.name] = {
      command: task.command,
      ...(task.cwd ? { cwd: task.cwd } : {}),
      ...(task.background ? {} : { background: false }),
      ...(task.env ? { env: task.env } : {}),
      ...(task.depends_on ? { depends_on: task.depends_on } : {}),
      ...(task.health ? { health: task.health } : {}),
    };
  }
  const doc = new Document({ name, tasks: body });
  doc.commentBefore = [
    ` Written by \`corral init\` from ${sources.join(', ')}.`,
    ' `corral up` runs it in the foreground (Ctrl-C stops it in order);',
    ` \`corral orchestrate ${name} --wait-healthy\` starts it in the background and waits until it is ready.`,
    ' Every key is in the "Environments" section of corral\'s README.',
  ].join('\n');
  const tasksMap = doc.get('tasks') as YAMLMap;
  for (const item of tasksMap.items as Pair[]) {
    const task = tasks.find((t) => t.name === String((item.key as { value: unknown }).value))!;
    (item.key as { commentBefore?: string }).commentBefore = ` ${task.why}`;
    // Small maps on one line read better: `depends_on: { migrate: succeeded }`.
    if (isMap(item.value)) {
      for (const field of item.value.items) {
        if (isPair(field) && isMap(field.value)) field.value.flow = true;
      }
    }
  }
  return doc.toString({ lineWidth: 0 });
}
