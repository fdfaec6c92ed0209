#!/usr/bin/env node
/**
 * Bundles the CLI's entry (src/cli/main.ts) into one CommonJS file, dist/src/cli/main.cjs,
 * after `tsc` (npm run build), and makes dist/src/cli/main.js a symbolic link to it. The
 * bundle holds the fast path, the client and the commands marked `bundled` in spec.ts;
 * every other dynamic import (commander's program, the other commands, the full CLI
 * main.ts hands other calls to) stays outside it and loads the compiler's output (ES
 * modules) at run time, so packages load only when a call needs them.
 *
 * CommonJS because an ES module entry costs Node more than a CommonJS one (its loader,
 * and namespaces of every built-in it imports), even as one file; the package is
 * `"type": "module"`, so the file is named `.cjs`, and `main.js` (the path the CLI has
 * always had) links to it: Node follows a link to its target and goes by the target's
 * name. tsconfig.json leaves main.ts out, so `tsc` never writes through the link.
 *
 * The build fails rather than produce a bundle that would differ from the unbundled CLI:
 * when the bundle would import a package at start-up, or when a module resolving paths
 * from `import.meta.url` would see a URL of another folder depth than its own.
 */
import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ROOT, 'src/cli/main.ts');
const OUT = join(ROOT, 'dist/src/cli/main.cjs');
const LINK = join(ROOT, 'dist/src/cli/main.js');
/** Gives the bundled modules' `import.meta.url` the bundle's own URL, as CommonJS has no `import.meta`. */
const URL_INJECT = join(ROOT, 'scripts/bundle-cli-url.js');
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
  format: 'cjs',
  platform: 'node',
  inject: [URL_INJECT],
  define: { 'import.meta.url': 'bundleUrl' },
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  // Less for V8 to parse at every call (2.5 M instructions of `ls`); names are kept, and the map leads back to the source.
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyOutside],
});

const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
const eager = output.imports.filter((i) => (i.kind === 'import-statement' || i.kind === 'require-call') && !i.path.startsWith('node:'));
if (eager.length) fail(`the bundle would import ${eager.map((i) => i.path).join(', ')} at start-up: import it lazily`);

const sameDepth = (file) => dirname(dirname(join(ROOT, file))) === dirname(dirname(ENTRY));
for (const file of Object.keys(result.metafile.inputs)) {
  if (join(ROOT, file) === URL_INJECT) continue;
  if (!sameDepth(file) && readFileSync(join(ROOT, file), 'utf8').includes('import.meta')) {
    fail(`${file} uses import.meta, and in the bundle its URL is ${relative(ROOT, OUT)}'s, of another folder depth`);
  }
}
// The link replaces what an older build left there (the compiler's main.js, or an ES module bundle).
rmSync(LINK, { force: true });
rmSync(`${LINK}.map`, { force: true });
rmSync(LINK.replace(/\.js$/, '.d.ts'), { force: true });
symlinkSync(basename(OUT), LINK);
const modules = Object.keys(result.metafile.inputs).length - 1;
process.stdout.write(`bundle-cli: ${relative(ROOT, OUT)} (and ${relative(ROOT, LINK)} linking to it): ${modules} modules, ${Math.round(output.bytes / 1024)} KB\n`);
