/**
 * Tool errors: every failure of a tool call comes back as a tool result with
 * `isError: true` and one sentence, never as a protocol error or a crashed server. The
 * sentence names tool arguments (`max_bytes`) and tools, where the CLI names flags.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CorralError, field, usageError, type Wording } from '../errors.js';

/** Fields whose tool argument is not simply the key in snake case. */
const ARGUMENTS: Record<string, string> = {
  offset: 'since',
  new: 'since "new"',
  newAs: 'since',
  waitTimeout: 'timeout',
  stopSignal: 'signal',
  all: 'all: true',
  schedule: 'every',
};

export const mcpWording: Wording = (key) => {
  if (key === '@list') return 'background_list';
  if (key.startsWith('@down:')) return `background_kill with env "${key.slice('@down:'.length)}"`;
  if (ARGUMENTS[key]) return ARGUMENTS[key]!;
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
};

function toolMessage(error: unknown): string {
  const message = (error instanceof CorralError ? error.worded(mcpWording) : error instanceof Error ? error.message : String(error)).trim();
  return message.length > 0 ? message : 'the call failed for an unknown reason';
}

export function toolError(error: unknown): CallToolResult {
  return { content: [{ type: 'text', text: toolMessage(error) }], isError: true };
}

/** A usage error naming the tool argument at fault (as written: `wait_for.port`). */
export const argumentError = (argument: string, message: string) => usageError(`${field(argument)}: ${message}`);
