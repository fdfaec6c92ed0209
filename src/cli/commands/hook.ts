/**
 * `corral hook claude-pre-tool-use`: a Claude Code PreToolUse hook for the Bash tool.
 * When a command belongs in the background, it answers with a rewrite of the tool input
 * so that the command runs under corral (`corral exec …`: supervised, with an id, its
 * tree stopped cleanly, alive after the session). Otherwise it says nothing, and the
 * call goes on unchanged. Bad input never blocks the user's command: it says nothing.
 * Broad kills (`pkill -f X`, `kill $(lsof -ti:PORT)`…) are answered first: hook/broad-kill.ts.
 */
import { classifyCommand } from '../../../machines/policies/autobackground.js';
import { loadAutoBackground } from '../../exec/config.js';
import type { Context } from '../context.js';
import { shellQuote } from '../../../machines/shell-words.js';
import { answerBroadKill } from './hook/broad-kill.js';
import { selfCommand } from './hook/self.js';

interface HookInput {
  session_id?: unknown;
  tool_name?: unknown;
  tool_input?: { command?: unknown; [key: string]: unknown };
  cwd?: unknown;
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function rewriteForHook(input: HookInput, home: string, allow: boolean): Promise<object | null> {
  if (input.tool_name !== 'Bash' || !input.tool_input || typeof input.tool_input.command !== 'string') return null;
  const command = input.tool_input.command;
  if (/(^|\/)corral(\.js)?\s|dist\/src\/cli\/main\.js/.test(command)) return null; // already under corral
  const cwd = typeof input.cwd === 'string' ? input.cwd : process.cwd();
  const decision = classifyCommand(command, await loadAutoBackground(cwd, home));
  if (!decision.background) return null;
  // The task belongs to the session, which ends it (claude-session-end) unless it is kept.
  const session = typeof input.session_id === 'string' && input.session_id !== '' ? `--session ${shellQuote(input.session_id)} ` : '';
  return {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: allow ? 'allow' : 'ask',
      permissionDecisionReason: `corral runs this in the background (${decision.rule}); it prints an id to read with \`corral logs <id> --new\``,
      updatedInput: {
        ...input.tool_input,
        // The home is pinned: the tool's shell may have another CORRAL_HOME (or none) than
        // this hook, which was given its home by --home or by its own environment.
        command: `${selfCommand()} --home ${shellQuote(home)} exec ${session}-- ${shellQuote(command)}`,
        // corral does the backgrounding: the tool waits only for the id.
        run_in_background: false,
      },
    },
  };
}

export async function claudePreToolUse(ctx: Context, flags: { allow?: boolean }): Promise<number> {
  try {
    const input = JSON.parse(await readStdin()) as HookInput;
    // A broad kill (`pkill -f X`, `kill $(lsof -ti:3000)`) is judged by what it would reach; anything else may belong in the background.
    const output = (await answerBroadKill(ctx, input, flags.allow === true)) ?? (await rewriteForHook(input, ctx.paths.home, flags.allow === true));
    if (output) process.stdout.write(`${JSON.stringify(output)}\n`);
  } catch {
    // Never block the user's command because of the hook: no answer means "go on unchanged".
  }
  return 0;
}
