/** `corral init`: write a corral.yaml from what the project holds, saying what was found and why. */
import { relative } from 'node:path';
import { writeAgentInstructions, type AgentsAction } from '../../init/agents.js';
import { initProject, type InitResult } from '../../init/init.js';
import { listTemplates } from '../../init/templates.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';
import { usageError } from '../../errors.js';

interface InitFlags {
  file?: string;
  force?: boolean;
  name?: string;
  template?: string;
  agents?: boolean;
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
  lines.push(`wrote ${relative(process.cwd(), result.file)}: ${result.tasks.length} task${result.tasks.length === 1 ? '' : 's'} (${result.tasks.map((t) => t.name).join(', ')})`);
  lines.push(`start it: corral up${fileArgument(result)}   (or: corral orchestrate ${result.name}${fileArgument(result)} --wait-healthy)`);
  return `${lines.join('\n')}\n`;
}

function fileArgument(result: InitResult): string {
  const file = relative(process.cwd(), result.file) || result.file;
  return file === 'corral.yaml' ? '' : ` -f ${file}`;
}

const AGENTS_WORDS: Record<AgentsAction, string> = {
  created: 'created it with the section on running servers under corral',
  added: 'added the section on running servers under corral',
  updated: 'updated the section on running servers under corral',
  unchanged: 'its section on running servers under corral is up to date',
};

export async function init(ctx: Context, flags: InitFlags): Promise<number> {
  if (flags.agents) {
    const other = (['template', 'file', 'force', 'name'] as const).find((k) => flags[k] !== undefined);
    if (other) throw usageError(`--agents writes only the section of AGENTS.md or CLAUDE.md, not with --${other}: run corral init and corral init --agents apart`);
    const results = writeAgentInstructions(process.cwd());
    if (ctx.json) printJson(results);
    else process.stdout.write(results.map((r) => `${relative(process.cwd(), r.file)}: ${AGENTS_WORDS[r.action]}\n`).join(''));
    return 0;
  }
  const result = initProject({ dir: process.cwd(), ...flags });
  if (result.template) {
    const { name, description } = result.template;
    if (ctx.json) printJson({ file: result.file, name: result.name, template: name });
    else process.stdout.write(`wrote ${relative(process.cwd(), result.file)} from the template ${name}: ${description}\nread its comments, then start it: corral up${fileArgument(result)}\n`);
    return 0;
  }
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

/** `corral templates`: one line each, the name and what it sets up. */
export async function templates(ctx: Context): Promise<number> {
  const all = listTemplates();
  if (ctx.json) printJson(all);
  else {
    const width = Math.max(...all.map((t) => t.name.length));
    process.stdout.write(all.map((t) => `${t.name.padEnd(width)}  ${t.description}\n`).join(''));
  }
  return 0;
}
