#!/usr/bin/env node
/**
 * Bundles the CLI's entry (src/cli/main.ts) into dist/src/cli/main.js, over the compiler's
 * output, after `tsc` (npm run build). The bundle holds the fast path, the client and the
 * commands marked `bundled` in spec.ts; every other dynamic import (commander's program,
 * the other commands, the full CLI main.ts hands other calls to) stays outside it and
 * loads the compiler's output at run time, so packages load only when a call needs them.
 *
 * The build fails rather than produce a bundle that would differ from the unbundled CLI:
 * when the bundle would import a package at start-up, or when a module resolving paths
 * from `import.meta.url` would see a URL of another folder depth than its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ROOT, 'src/cli/main.ts');
const OUT = join(ROOT, 'dist/src/cli/main.js');
const SPEC = join(ROOT, 'dist/src/cli/spec.js');

function fail(message) {
  process.stderr.write(`bundle-cli: ${message}\n`);
  process.exit(1);
}

if (!existsSync(SPEC)) fail(`${relative(ROOT, SPEC)} is missing: run tsc first (npm run build)`);

/** The source files of the bundled commands, read from the spec table's `load` functions. */
async function bundledCommandSources() {
  const { COMMANDS } = await import(pathToFileURL(SPEC).href);
  const sources = new Set();
  for (const spec of COMMANDS.filter((c) => c.bundled)) {
    const found = /import\(['"](\.\/commands\/[\w-]+)\.js['"]\)/.exec(String(spec.load));
    if (!found) fail(`the bundled command "${spec.words.join(' ')}" has no load() importing ./commands/NAME.js`);
    sources.add(join(ROOT, 'src/cli', `${found[1]}.ts`));
  }
  return sources;
}

const bundled = await bundledCommandSources();
const distOf = (source) => join(ROOT, 'dist', relative(ROOT, source)).replace(/\.tsx?$/, '.js');

/** Dynamic imports outside the bundle point at the compiler's output, relative to the bundle. */
const lazyOutside = {
  name: 'lazy-outside',
  setup(b) {
    b.onResolve({ filter: /^\./, namespace: 'file' }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const source = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      const sourceFile = existsSync(source) ? source : source.replace(/\.ts$/, '.tsx');
      if (bundled.has(sourceFile) && args.importer !== ENTRY) return undefined;
      const target = distOf(sourceFile);
      if (!existsSync(target)) fail(`${relative(ROOT, args.importer)} imports ${args.path}, but ${relative(ROOT, target)} was not built`);
      let path = relative(dirname(OUT), target).split(sep).join('/');
      if (!path.startsWith('.')) path = `./${path}`;
      return { path, external: true };
    });
  },
};

const result = await build({
  entryPoints: [ENTRY],
  outfile: OUT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyOutside],
});

const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
const eager = output.imports.filter((i) => i.kind === 'import-statement' && !i.path.startsWith('node:'));
if (eager.length) fail(`the bundle would import ${eager.map((i) => i.path).join(', ')} at start-up: import it lazily`);

const sameDepth = (file) => dirname(dirname(join(ROOT, file))) === dirname(dirname(ENTRY));
for (const file of Object.keys(result.metafile.inputs)) {
  if (!sameDepth(file) && readFileSync(join(ROOT, file), 'utf8').includes('import.meta')) {
    fail(`${file} uses import.meta, and in the bundle its URL is ${relative(ROOT, OUT)}'s, of another folder depth`);
  }
}
const modules = Object.keys(result.metafile.inputs).length;
process.stdout.write(`bundle-cli: ${relative(ROOT, OUT)}: ${modules} modules, ${Math.round(output.bytes / 1024)} KB\n`);
