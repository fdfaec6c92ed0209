#!/usr/bin/env node
/** `node dist/src/mcp/main.js [--home DIR]`: the MCP server on stdio, without the CLI around it. */
import { runMcpServer } from './server.js';

function homeFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--home') return argv[i + 1];
    if (arg.startsWith('--home=')) return arg.slice('--home='.length);
  }
  return undefined;
}

const home = homeFlag(process.argv.slice(2));
runMcpServer(home !== undefined ? { home } : {}).then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`corral mcp: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
