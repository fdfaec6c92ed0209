/**
 * An MCP client as an agent runs one: the SDK's real Client over stdio, spawning
 * `node dist/src/mcp/main.js` for a home. Nothing calls a tool's handler directly.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { DATA_KEY } from '../../src/mcp/tools/register.js';
import { ROOT } from '../helpers.js';

const MCP_MAIN = join(ROOT, 'dist/src/mcp/main.js');

export interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
  /** The reply's data, from `_meta["corral/data"]`. */
  data?: any;
  _meta?: Record<string, unknown>;
  structuredContent?: unknown;
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

  async call(name: string, args: Record<string, unknown> = {}, options?: RequestOptions): Promise<ToolResult> {
    const r = (await this.client.callTool({ name, arguments: args }, undefined, options)) as ToolResult;
    return { ...r, data: r._meta?.[DATA_KEY] };
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

/**
 * The output a page shows for one stream (under its header `stdout (bytes 0-812 of 812):`),
 * as the bytes it stands for: the text drops a page's final newline, which the byte range
 * in the data tells back.
 */
export function streamData(r: ToolResult, stream: 'stdout' | 'stderr'): string {
  const lines = textOf(r).split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${stream} (`) && l.endsWith('):'));
  if (start < 0) return '';
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('[... ') || /^(stdout|stderr)( \(.*\):|: )/.test(l)) break;
    body.push(l);
  }
  const data = body.join('\n');
  const s = r.data;
  const length = s.next[stream] - (s.from?.[stream] ?? 0);
  return Buffer.byteLength(data) === length - 1 ? `${data}\n` : data;
}
