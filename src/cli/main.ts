#!/usr/bin/env node
/**
 * The entry of the corral CLI. `npm run build` bundles this file, with the commands marked
 * `bundled` in spec.ts, into one module (scripts/bundle-cli.js): Node's ES module loader
 * costs far more per file than the code in it, so `ls`, `status`, `logs` and `run` read one
 * file instead of some twenty (docs/benchmarks.md). Any other call goes, whole, to the CLI
 * as the compiler left it (cli.js, kept out of the bundle), which loads its own copy of
 * every module: no object of the bundle (an error class, the client) ever meets one of the
 * unbundled modules. Unbundled, both imports below are the same module.
 */
import { main } from './cli.js';
import { parseFast } from './fast.js';

const fast = parseFast(process.argv.slice(2));
if (fast?.spec.bundled) await main(process.argv, fast);
else await (await import('./cli.js')).main(process.argv);
