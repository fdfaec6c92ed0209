/** `corral init`: write a corral.yaml from what the project holds, saying what was found and why. */
import { relative } from 'node:path';
import { initProject, type InitResult } from '../../init/init.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';

interface InitFlags {
  file?: string;
  force?: boolean;
  name?: string;
}

function report(result: InitResult): string {
  const lines: string[] = [];
  for (const detection of result.detections) {
    lines.push(`${detection.source}:`);
    for (const task of detection.tasks.filter((t) => result.tasks.includes(t))) {
      lines.push(`  + ${task.name}: ${task.command}`, `      ${task.why}`);
    }
    for (const note of detection.notes) lines.push(`  - ${note}`);
  }
  const file = relative(process.cwd(), result.file) || result.file;
  lines.push(`wrote ${file}: ${result.tasks.length} task${result.tasks.length === 1 ? '' : 's'} (${result.tasks.map((t) => t.name).join(', ')})`);
  lines.push(`start it: corral up${file === 'corral.yaml' ? '' : ` -f ${file}`}   (or: corral orchestrate ${result.name}${file === 'corral.yaml' ? '' : ` -f ${file}`} --wait-healthy)`);
  return `${lines.join('\n')}\n`;
}

export async function init(ctx: Context, flags: InitFlags): Promise<number> {
  const result = initProject({ dir: process.cwd(), ...flags });
  if (ctx.json) {
    printJson({
      file: result.file,
      name: result.name,
      tasks: result.tasks.map((t) => ({ name: t.name, command: t.command, background: t.background, why: t.why })),
      found: result.detections.map((d) => ({ source: d.source, tasks: d.tasks.filter((t) => result.tasks.includes(t)).map((t) => t.name), notes: d.notes })),
    });
  } else {
    process.stdout.write(report(result));
  }
  return 0;
}
