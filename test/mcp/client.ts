/**
 * An MCP client as an agent runs one: the SDK's real Client over stdio, spawning
 * `node dist/src/mcp/main.js` for a home. Nothing calls a tool's handler directly.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ROOT } from '../helpers.js';

const MCP_MAIN = join(ROOT, 'dist/src/mcp/main.js');

export interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: any;
}

export class McpConnection {
  private err = '';

  private constructor(
    readonly client: Client,
    readonly transport: StdioClientTransport,
  ) {
    transport.stderr?.on('data', (b: Buffer) => (this.err += b.toString()));
  }

  static async open(home: string, clientName = 'corral-test', env: Record<string, string> = {}): Promise<McpConnection> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MCP_MAIN],
      env: { ...(process.env as Record<string, string>), CORRAL_HOME: home, ...env },
      cwd: ROOT,
      stderr: 'pipe',
    });
    const client = new Client({ name: clientName, version: '1.0.0' });
    const connection = new McpConnection(client, transport);
    await client.connect(transport);
    return connection;
  }

  stderr(): string {
    return this.err;
  }

  async call(name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    return (await this.client.callTool({ name, arguments: args })) as ToolResult;
  }

  /** A call that must succeed: a tool error fails the test with its text. */
  async ok(name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    const r = await this.call(name, args);
    if (r.isError) throw new Error(`${name} failed: ${textOf(r)}\n${this.err}`);
    return r;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export const textOf = (r: ToolResult) => r.content.map((c) => c.text).join('\n');
