/**
 * `corral mcp`: an MCP server on stdio for coding agents, a thin client of the home's
 * daemon (started on demand, reached per tool call). Tools: background_spawn,
 * background_output, background_kill, background_list, background_status, background_restart,
 * background_remove, background_orchestrate, background_monitor, background_wait.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { homePaths, resolveHome } from '../home.js';
import { VERSION } from '../version.js';
import { definedEnv, McpContext } from './context.js';
import { registerKill } from './tools/kill.js';
import { registerList } from './tools/list.js';
import { registerMonitor } from './tools/monitor.js';
import { registerOrchestrate } from './tools/orchestrate.js';
import { registerOutput } from './tools/output.js';
import { registerRemove } from './tools/remove.js';
import { registerRestart } from './tools/restart.js';
import { registerSend } from './tools/send.js';
import { registerSpawn } from './tools/spawn.js';
import { registerStatus } from './tools/status.js';
import { serveToolList } from './tools/register.js';
import { registerWait } from './tools/wait.js';

interface McpServerOptions {
  home?: string;
  /** Default folder of spawned commands and base of relative paths (default: the process's). */
  cwd?: string;
  /** Base environment of spawned commands (default: the process's). */
  env?: Record<string, string>;
}

const INSTRUCTIONS = `corral runs commands in the background under stable ids (bash_1, bash_2, …) supervised by a daemon, so they keep running after this session, their output is kept in log files, and stopping one stops its whole process tree.
Use background_spawn for dev servers, watchers and long builds or tests (wait_for tells you when it is ready), background_output to read only what is new since your last look (filter with a regex, bounded pages), background_wait for a verdict (an exit, a log line, a port) instead of polling, background_kill to stop tasks cleanly, background_list to see what is already running (a spawn of a command that already runs here returns that task rather than a second copy), background_status for one task in full, background_restart, background_remove to forget ended tasks, background_orchestrate to bring up several tasks with dependencies at once, and background_monitor for the exits, restarts and alerts since your last look.
A task is named by its id (bash_3), its name, or env/name (dev/web) for a task of an environment. Durations are seconds (10, 0.5) or strings ("500ms", "30s", "2m"). Replies are text; the same facts as data are in the reply's _meta["corral/data"].`;

/** The MCP server with every tool registered, not yet connected to a transport. */
function createMcpServer(options: McpServerOptions = {}): { server: McpServer; context: McpContext } {
  const server = new McpServer({ name: 'corral', version: VERSION }, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
  const context = new McpContext(
    homePaths(resolveHome(options.home)),
    options.cwd ?? process.cwd(),
    options.env ?? definedEnv(),
    () => server.server.getClientVersion()?.name,
  );
  registerSpawn(server, context);
  registerOutput(server, context);
  registerKill(server, context);
  registerList(server, context);
  registerStatus(server, context);
  registerRestart(server, context);
  registerRemove(server, context);
  registerOrchestrate(server, context);
  registerMonitor(server, context);
  registerWait(server, context);
  registerSend(server, context);
  serveToolList(server);
  return { server, context };
}

/**
 * Serves MCP on stdin/stdout until the client goes away (stdin ends). Nothing but protocol
 * messages goes to stdout; problems are reported on stderr. Tasks keep running afterwards.
 */
export async function runMcpServer(options: { home?: string } = {}): Promise<void> {
  const { server, context } = createMcpServer(options);
  const transport = new StdioServerTransport();
  const report = (what: string, error: unknown) => process.stderr.write(`corral mcp: ${what}: ${(error as Error)?.stack ?? String(error)}\n`);
  const onRejection = (error: unknown) => report('unhandled rejection', error);
  const onException = (error: unknown) => report('uncaught exception', error);
  // A stray failure in one call must not take the server down with every other call.
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);

  await new Promise<void>((resolveDone) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      context.close();
      void server.close().catch(() => {});
      resolveDone();
    };
    transport.onclose = finish;
    process.stdin.once('end', finish);
    process.stdin.once('close', finish);
    // The client closed its end of our stdout: nobody is left to answer.
    process.stdout.once('error', finish);
    server.connect(transport).catch((error) => {
      report('cannot serve on stdio', error);
      finish();
    });
  });

  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
}
