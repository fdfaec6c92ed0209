/**
 * The env-file reader: `corral.yaml` (tasks:), the workflow format agent users write (steps:),
 * and Procfiles. A bad file is refused whole, before anything starts, with `file:line:col`
 * and the fix. The result is an EnvSpec: plain, validated, with durations in ms.
 *
 * Only `load.ts` reads files; the parse functions are pure. The daemon never imports this
 * module: it reads env files through a process of its own (aside.ts).
 */
export { loadEnvFile } from './load.js';
export { loadEnvFileAside } from './aside.js';
export { parseEnvYaml } from './document.js';
export { parseProcfile } from './procfile.js';
export { plainTask, slug, type EnvSpec, type EnvTaskDecl, type LoadOptions, type ParseOptions, type ReadEnvFile } from './spec.js';
