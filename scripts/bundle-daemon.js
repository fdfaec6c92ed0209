#!/usr/bin/env node
/**
 * Bundles the daemon's entry (src/daemon/main.ts) into dist/src/daemon/main.js, over the
 * compiler's output, after `tsc` (npm run build). The daemon stays up for hours: what it
 * holds at start is paid for all that time. One file instead of ~170 modules (its own and
 * the ESM packages it always loads: xstate, lowdb, chokidar, zod 3), tree-shaken, with
 * whitespace dropped, holds less source and fewer module records.
 *
 * What a serving daemon does not always need stays outside: every dynamic import of the
 * sources other than main.ts's start-up ones (the supervisor, the server) loads the
 * compiler's output at run time (the dashboard, the env-file reader, the probes' helpers),
 * and CommonJS packages (pino) load from node_modules as before.
 *
 * The build fails rather than produce a bundle that would differ from the unbundled daemon:
 * when a module resolving paths from `import.meta.url` would see a URL of another folder
 * depth than its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ROOT, 'src/daemon/main.ts');
const OUT = join(ROOT, 'dist/src/daemon/main.js');
const READER_ENTRY = join(ROOT, 'src/config/envfile/reader.ts');
const READER_OUT = join(ROOT, 'dist/src/config/envfile/reader.js');
/** Packages the bundle holds: ESM, loaded by every serving daemon. The others stay external. */
const BUNDLED_PACKAGES = ['xstate', 'lowdb', 'steno', 'chokidar', 'readdirp', 'zod'];
/** main.ts's own dynamic imports that every serving daemon makes: in the bundle. */
const START_IMPORTS = ['../supervisor/supervisor.js', './server.js'];
/** Node modules that cost MBs (TLS, crypto, threads) and that only some calls need: never at start. */
const LAZY_BUILTINS = ['node:http', 'node:https', 'node:tls', 'node:crypto', 'node:worker_threads'];

function fail(message) {
  process.stderr.write(`bundle-daemon: ${message}\n`);
  process.exit(1);
}

if (!existsSync(join(ROOT, 'dist/src/daemon/server.js'))) fail('dist/src/daemon/server.js is missing: run tsc first (npm run build)');

const distOf = (source) => join(ROOT, 'dist', relative(ROOT, source)).replace(/\.tsx?$/, '.js');
const packageOf = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2) : specifier.split('/').slice(0, 1)).join('/');

const daemonLayout = {
  name: 'daemon-layout',
  setup(b) {
    // Dynamic imports other than main.ts's start-up ones point at the compiler's output, relative to the bundle.
    b.onResolve({ filter: /^\./, namespace: 'file' }, (args) => {
      if (args.kind !== 'dynamic-import' || (args.importer === ENTRY && START_IMPORTS.includes(args.path))) return undefined;
      const source = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      const target = distOf(existsSync(source) ? source : source.replace(/\.ts$/, '.tsx'));
      if (!existsSync(target)) fail(`${relative(ROOT, args.importer)} imports ${args.path}, but ${relative(ROOT, target)} was not built`);
      let path = relative(dirname(OUT), target).split(sep).join('/');
      if (!path.startsWith('.')) path = `./${path}`;
      return { path, external: true };
    });
    // Packages outside the list load from node_modules; a package's dynamic import too.
    b.onResolve({ filter: /^[^./]/, namespace: 'file' }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      if (BUNDLED_PACKAGES.includes(packageOf(args.path)) && args.kind !== 'dynamic-import') return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** Both bundles: ESM for node 20, whitespace and syntax minified (names stay, so stack traces still read). */
const COMMON = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
};

const result = await build({ ...COMMON, entryPoints: [ENTRY], outfile: OUT, plugins: [daemonLayout] });

const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
const eager = output.imports.filter((i) => i.kind === 'import-statement' && LAZY_BUILTINS.includes(i.path)).map((i) => i.path);
if (eager.length) fail(`the bundle would import ${[...new Set(eager)].join(', ')} at start-up: import it where it is used`);

checkDepths(result, ENTRY, OUT);
report(result, OUT);

/**
 * The env-file reader's process (envfile/aside.ts) starts for each file read: one file
 * with yaml and zod in it, instead of ~110 modules, starts it with less CPU (two thirds,
 * when the reader used zod 4). yaml is CommonJS, and requires node's modules: the bundle gets a `require`.
 */
const reader = await build({
  ...COMMON,
  entryPoints: [READER_ENTRY],
  outfile: READER_OUT,
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
checkDepths(reader, READER_ENTRY, READER_OUT);
report(reader, READER_OUT);

/**
 * Fails when a module resolving paths from `import.meta.url` would see another folder depth
 * than its own. A `require` made from it finds packages the same from any depth.
 */
function checkDepths(built, entry, out) {
  const sameDepth = (file) => dirname(dirname(join(ROOT, file))) === dirname(dirname(entry));
  const resolvesPaths = (file) => readFileSync(join(ROOT, file), 'utf8').replaceAll('createRequire(import.meta.url)', '').includes('import.meta');
  for (const file of Object.keys(built.metafile.inputs)) {
    if (file.includes('node_modules/')) continue;
    if (!sameDepth(file) && resolvesPaths(file)) {
      fail(`${file} uses import.meta, and in the bundle its URL is ${relative(ROOT, out)}'s, of another folder depth`);
    }
  }
}

function report(built, out) {
  const bytes = Object.values(built.metafile.outputs).find((o) => o.entryPoint).bytes;
  process.stdout.write(`bundle-daemon: ${relative(ROOT, out)}: ${Object.keys(built.metafile.inputs).length} modules, ${Math.round(bytes / 1024)} KB\n`);
}
