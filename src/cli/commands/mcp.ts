/** `corral mcp`: the MCP server on stdio (for Claude Code, Cursor and other MCP clients). */
import type { Context } from '../context.js';

export async function mcp(ctx: Context): Promise<number> {
  // Loaded here: the MCP SDK is only needed by this command.
  const { runMcpServer } = await import('../../mcp/server.js');
  await runMcpServer({ home: ctx.paths.home });
  return 0;
}
