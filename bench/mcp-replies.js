#!/usr/bin/env node
/**
 * What three everyday agent tasks cost through the MCP server, in calls and reply bytes,
 * played by the SDK's real Client over stdio the way an agent goes about them:
 *   1. start a web app and confirm it answers: one spawn with wait_for {port};
 *   2. find the failures of a 5,000-line test run (three FAIL lines spread through it):
 *      a spawn that waits for the exit, then filtered reads until all three are seen
 *      (following the offset each reply gives) when the spawn's reply did not show them;
 *   3. learn why a server crashed: a spawn that waits for its port, then a read of the
 *      last lines of stderr when the reply did not show the error.
 * Also the size of the tool list (what every conversation pays once).
 * `node bench/mcp-replies.js` (after `npm run build`) prints a markdown table and JSON.
 * Reply bytes are the JSON of each call's result as the client receives it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { cleanupHome, envFor, makeHome, ROOT } from './lib.js';

const MCP_MAIN = join(ROOT, 'dist/src/mcp/main.js');
const ERROR_LINE = "TypeError: Cannot read properties of undefined (reading 'port')";

function fixtures() {
  const dir = mkdtempSync('/tmp/cb-mcp-fixtures-');
  writeFileSync(
    join(dir, 'web.js'),
    `const http = require('node:http');
console.log('compiling…'); console.log('compiled 42 modules');
http.createServer((q, s) => s.end('ok')).listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening on ' + process.argv[2]));`,
  );
  writeFileSync(
    join(dir, 'tests.js'),
    `const fails = new Set([1200, 3100, 4890]);
for (let i = 1; i <= 5000; i++) {
  if (fails.has(i)) console.log('FAIL test/suite-' + (i % 37) + '.test.js > case ' + i + ': expected 200, got 500');
  else console.log('ok ' + i + ' test/suite-' + (i % 37) + '.test.js > case ' + i + ' (3 ms)');
}
console.error('3 of 5000 tests failed');
process.exit(1);`,
  );
  writeFileSync(
    join(dir, 'crash.js'),
    `console.log('loading config from ./config.json');
console.log('connecting to database…');
setTimeout(() => { const config = {}; console.log(config.server.port); }, 300);`,
  );
  return dir;
}

async function open(home) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [MCP_MAIN], env: envFor(home), cwd: ROOT, stderr: 'pipe' });
  const client = new Client({ name: 'bench-agent', version: '1.0.0' });
  await client.connect(transport);
  let calls = 0;
  let bytes = 0;
  const call = async (name, args) => {
    const r = await client.callTool({ name, arguments: args });
    calls++;
    bytes += Buffer.byteLength(JSON.stringify(r));
    return r;
  };
  const tally = () => {
    const t = { calls, bytes };
    calls = 0;
    bytes = 0;
    return t;
  };
  return { client, call, tally };
}

const textOf = (r) => r.content.map((c) => c.text ?? '').join('\n');
const failLines = (text) => new Set(text.split('\n').filter((l) => /FAIL test\//.test(l)).map((l) => l.replace(/^.*?(FAIL)/, '$1')));

async function main() {
  const dir = fixtures();
  const home = makeHome('mcp');
  const rows = [];
  try {
    const agent = await open(home);
    const list = await agent.client.listTools();
    const toolListBytes = Buffer.byteLength(JSON.stringify(list));

    // 1. A web app, started and confirmed.
    const port = 20000 + (process.pid % 20000);
    const web = await agent.call('background_spawn', { command: `node ${join(dir, 'web.js')} ${port}`, wait_for: { port }, timeout: 20 });
    const webOk = /ready/.test(textOf(web));
    rows.push({ task: 'start a web app and confirm it', ...agent.tally(), done: webOk });

    // 2. The failures of a 5,000-line test run.
    const run = await agent.call('background_spawn', { command: `node ${join(dir, 'tests.js')}`, wait_for: { exit: true }, timeout: 60 });
    const found = failLines(textOf(run));
    const id = run._meta?.['corral/data']?.id ?? textOf(run).match(/bash_\d+/)?.[0];
    let offset = 0;
    for (let i = 0; found.size < 3 && i < 200; i++) {
      const r = await agent.call('background_output', { id, since: offset, filter: 'FAIL', stream: 'stdout' });
      for (const l of failLines(textOf(r))) found.add(l);
      const more = textOf(r).match(/from offset (\d+)/);
      if (!more) break;
      offset = Number(more[1]);
    }
    rows.push({ task: 'find the failures of a 5,000-line test run', ...agent.tally(), done: found.size === 3 });

    // 3. Why a server crashed.
    const crash = await agent.call('background_spawn', { command: `node ${join(dir, 'crash.js')}`, wait_for: { port: port + 1 }, timeout: 20 });
    let seen = textOf(crash).includes(ERROR_LINE);
    if (!seen) {
      const r = await agent.call('background_output', { id: crash._meta?.['corral/data']?.id ?? textOf(crash).match(/bash_\d+/)?.[0], since: 0, stream: 'stderr', tail: 20 });
      seen = textOf(r).includes(ERROR_LINE);
    }
    rows.push({ task: 'learn why a server crashed', ...agent.tally(), done: seen });

    await agent.client.close();
    const md = [
      `tool list: ${toolListBytes} bytes (${list.tools.length} tools)`,
      '',
      '| task | calls | reply bytes | done |',
      '| --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.task} | ${r.calls} | ${r.bytes} | ${r.done ? 'yes' : 'no'} |`),
    ].join('\n');
    process.stdout.write(`${md}\n\n${JSON.stringify({ toolListBytes, tools: list.tools.length, rows })}\n`);
  } finally {
    for (const note of cleanupHome(home)) process.stderr.write(`${note}\n`);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
