/** `corral dashboard`: has the daemon serve the web dashboard, prints its URL, and returns. */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Context } from '../context.js';
import { printJson } from '../output.js';

export async function dashboard(ctx: Context, flags: { port?: number; open?: boolean } = {}): Promise<number> {
  const { url, port } = await (await ctx.api()).dashboard(flags.port !== undefined ? { port: flags.port } : {});
  if (ctx.json) printJson({ url, port });
  else process.stdout.write(`${url}\n`);
  // The daemon serves one dashboard: asked for another port, it answers with the one it serves.
  if (flags.port !== undefined && flags.port !== 0 && flags.port !== port) process.stderr.write(`corral: the dashboard is served already, on port ${port}\n`);
  if (flags.open) openInBrowser(url);
  return 0;
}

/** xdg-open, detached, when it is installed; else one line saying it is not. */
function openInBrowser(url: string): void {
  const opener = onPath('xdg-open');
  if (!opener) {
    process.stderr.write('corral: could not open a browser (xdg-open is not installed): open the URL above\n');
    return;
  }
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  child.on('error', (error) => process.stderr.write(`corral: could not open a browser (xdg-open: ${error.message}): open the URL above\n`));
  child.unref();
}

function onPath(command: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
