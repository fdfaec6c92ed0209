#!/usr/bin/env node
/**
 * The entry of the corral CLI. `npm run build` bundles this file, with the commands marked
 * `bundled` in spec.ts, into one CommonJS file, dist/src/cli/main.cjs, and makes
 * dist/src/cli/main.js a symbolic link to it (scripts/bundle-cli.js): Node's ES module
 * loader costs far more per file than the code in it, and an ES module entry costs more
 * than a CommonJS one even as one file, so `ls`, `status`, `logs` and `run` read one
 * CommonJS file instead of some twenty modules (docs/benchmarks.md). Node runs a
 * symbolic link's target, and so by the target's `.cjs` as CommonJS, although the package
 * is `"type": "module"`. Any other call goes, whole, to the CLI as the compiler left it
 * (cli.js, an ES module kept out of the bundle), which loads its own copy of every module:
 * no object of the bundle (an error class, the client) ever meets one of the unbundled
 * modules. No top-level await: CommonJS has none.
 */
import { main } from './cli.js';
import { parseFast } from './fast.js';

const fast = parseFast(process.argv.slice(2));
if (fast?.spec.bundled) void main(process.argv, fast);
else void import('./cli.js').then((cli) => cli.main(process.argv));
