/**
 * How a tool is registered and listed, with a server of its own and no daemon: the reply's
 * data moves to `_meta`, data that drifts from its schema is a tool error, and the listing
 * carries nothing a client assumes anyway.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DATA_KEY, registerTool, serveToolList } from '../../src/mcp/tools/register.js';

let client: Client | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
});

async function serve(data: unknown): Promise<Client> {
  const server = new McpServer({ name: 'test', version: '1' });
  registerTool(
    server,
    'count',
    {
      description: 'counts',
      inputSchema: {
        n: z.number().int().describe('how many'),
        tags: z.record(z.string(), z.string()).optional().describe('labels'),
        ids: z.union([z.string(), z.array(z.string())]).optional().describe('one or a list'),
        since: z.union([z.literal('new'), z.number().int().min(0)]).optional().describe('"new" or an offset'),
      },
      dataSchema: { n: z.number() },
      annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: true },
    },
    async () => ({ content: [{ type: 'text', text: 'counted' }], structuredContent: data as Record<string, unknown> }),
  );
  serveToolList(server);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'test-client', version: '1' });
  await client.connect(clientSide);
  return client;
}

describe('registerTool', () => {
  it('replies with text only, the data in _meta', async () => {
    const reply = await (await serve({ n: 3 })).callTool({ name: 'count', arguments: { n: 3 } });
    expect(reply.isError).toBeFalsy();
    expect(reply.structuredContent).toBeUndefined();
    expect(reply.content).toEqual([{ type: 'text', text: 'counted' }]);
    expect(reply._meta?.[DATA_KEY]).toEqual({ n: 3 });
  });

  it('turns data that drifted from its schema into a tool error naming the field', async () => {
    const reply = await (await serve({ n: 'three' })).callTool({ name: 'count', arguments: { n: 3 } });
    expect(reply.isError).toBe(true);
    expect(JSON.stringify(reply.content)).toMatch(/count: .*data.*\bn\b/);
  });

  it('lists input schemas without the draft, record key types or safe-integer bounds, and only hints that differ from the defaults', async () => {
    const { tools } = await (await serve({ n: 1 })).listTools();
    expect(tools).toHaveLength(1);
    const listed = JSON.stringify(tools[0]);
    expect(listed).not.toMatch(/\$schema|propertyNames|9007199254740991|execution|outputSchema/);
    expect(tools[0]!.inputSchema.properties).toMatchObject({ n: { type: 'integer', description: 'how many' } });
    expect(tools[0]!.annotations).toEqual({ readOnlyHint: true });
    // One type per branch, with keywords of that type only: the same schema as a list of types.
    expect(tools[0]!.inputSchema.properties!.ids).toEqual({ description: 'one or a list', type: ['string', 'array'], items: { type: 'string' } });
    // A const would then bind every type: that union stays as it is.
    expect(tools[0]!.inputSchema.properties!.since).toMatchObject({ anyOf: [{ type: 'string', const: 'new' }, { type: 'integer', minimum: 0 }] });
  });
});
