/**
 * `corral init --agents`: a short section in the project's AGENTS.md or CLAUDE.md that tells
 * a coding agent how to run servers under corral, so a new session knows it without being
 * told. It lives between two markers: running it again replaces the section, never adds one.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../errors.js';

export const BEGIN = '<!-- corral:begin (written by `corral init --agents`; run it again to update what is between these markers) -->';
const BEGIN_PREFIX = '<!-- corral:begin';
export const END = '<!-- corral:end -->';

const SECTION = `## Servers and long-running commands: corral

Run dev servers, watchers and long jobs under corral, never with \`&\`, \`nohup\` or a
terminal of their own: they then outlive the session, keep their output in logs you can
read by offset, and stop with their whole process tree.

- MCP tools, when the corral server is connected: \`background_list\` first (what already
  runs: do not start a second dev server), \`background_spawn\` with \`wait_for\` (\`{port: N}\`
  or \`{log: "ready"}\`) to start one, \`background_output\` for what is new since your last
  look, \`background_wait\` for a verdict, \`background_kill\` to stop, \`background_orchestrate\`
  for the whole environment of corral.yaml.
- Shell: \`corral ls\` · \`corral run -- npm run dev\` (prints an id) · \`corral logs ID --new\`
  (only what is new) · \`corral wait ID --until port:3000\` · \`corral kill ID\` ·
  \`corral orchestrate ENV --wait-healthy\` (corral.yaml; \`corral down ENV\` stops it in order).
- To free a port, \`corral kill --port 3000\`: not \`pkill -f\`, \`killall\` or
  \`kill $(lsof -ti:3000)\`, which reach processes that are not yours.`;

export type AgentsAction = 'created' | 'added' | 'updated' | 'unchanged';

export interface AgentsResult {
  file: string;
  action: AgentsAction;
}

/** The text with the section put in: between the markers when they are there, else at the end. */
export function withSection(text: string, file: string): { text: string; replaced: boolean } {
  const block = `${BEGIN}\n${SECTION}\n${END}`;
  const begin = text.indexOf(BEGIN_PREFIX);
  if (begin === -1) return { text: `${text}${text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n'}${block}\n`, replaced: false };
  const end = text.indexOf(END, begin);
  if (end === -1) throw usageError(`${file}: a "${BEGIN_PREFIX}" marker without its "${END}": mend or remove it, then run corral init --agents again`);
  return { text: `${text.slice(0, begin)}${block}${text.slice(end + END.length)}`, replaced: true };
}

/** The files to write: AGENTS.md and CLAUDE.md where they exist, else a new AGENTS.md. */
export function writeAgentInstructions(dir: string): AgentsResult[] {
  const existing = ['AGENTS.md', 'CLAUDE.md'].map((name) => join(dir, name)).filter((path) => existsSync(path));
  if (existing.length === 0) {
    const file = join(dir, 'AGENTS.md');
    writeFileSync(file, withSection('', file).text);
    return [{ file, action: 'created' }];
  }
  return existing.map((file) => {
    const before = readFileSync(file, 'utf8');
    const { text, replaced } = withSection(before, file);
    if (text === before) return { file, action: 'unchanged' };
    writeFileSync(file, text);
    return { file, action: replaced ? 'updated' : 'added' };
  });
}
