/** The JSON Claude Code sends a hook on stdin: the fields the session hooks read. */
import { readStdin } from '../hook.js';

export interface SessionHookInput {
  /** Claude Code's session id; null when the input has none. */
  session: string | null;
  /** The folder the session works in (the hook's own when the input has none). */
  cwd: string;
  /** SessionStart: startup, resume, clear or compact. SessionEnd: clear, logout, prompt_input_exit, other. */
  why: string | null;
}

export async function readSessionHookInput(): Promise<SessionHookInput> {
  const raw = JSON.parse(await readStdin()) as Record<string, unknown> | null;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    session: text(raw?.session_id),
    cwd: text(raw?.cwd) ?? process.cwd(),
    why: text(raw?.source) ?? text(raw?.reason),
  };
}
