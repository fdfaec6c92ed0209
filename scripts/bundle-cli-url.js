/**
 * Injected into the CommonJS bundle of the CLI (scripts/bundle-cli.js): what the bundled
 * modules read as their own module URL is the bundle's file, as it was in the ES module
 * bundle. Never run on its own.
 */
export const bundleUrl = require('node:url').pathToFileURL(__filename).href;
