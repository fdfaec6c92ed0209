// Completes the dashboard's page in dist/web (`tsc -p web` compiled its scripts there, for
// the browser): copies the static files and the vendored libraries beside them, so the page
// loads nothing from outside the daemon (its CSP allows only 'self').
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web');
const require = createRequire(import.meta.url);
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));

cpSync(join(root, 'web/static'), out, { recursive: true });
mkdirSync(join(out, 'vendor'), { recursive: true });
const vendor = [
  [pkgDir('uplot'), 'dist/uPlot.esm.js', 'uPlot.esm.js'],
  [pkgDir('uplot'), 'dist/uPlot.min.css', 'uPlot.min.css'],
  [pkgDir('uplot'), 'LICENSE', 'uPlot.LICENSE'],
  [pkgDir('@dagrejs/dagre'), 'dist/dagre.esm.js', 'dagre.esm.js'],
  [pkgDir('@dagrejs/dagre'), 'LICENSE', 'dagre.LICENSE'],
];
for (const [dir, from, to] of vendor) copyFileSync(join(dir, from), join(out, 'vendor', to));
