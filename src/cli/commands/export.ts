/**
 * `corral export compose|k8s|systemd [TASK...]`: the env file as the engine's files, written
 * to a folder (-o DIR) or to stdout. Nothing runs and no daemon is needed: the file is read
 * and checked as `up` reads it. What the engine cannot say is a warning on stderr, one a
 * line; --strict makes any warning a failure (exit 1, nothing written).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { imageProblem } from '../../../machines/policies/image.js';
import { loadEnvFile } from '../../config/envfile/index.js';
import { field, usageError } from '../../errors.js';
import { exportEnv, selectTasks, warningLine, type Engine, type ExportFile } from '../../export/index.js';
import type { Context } from '../context.js';
import { callerEnv, DEFAULT_FILES, findEnvFile } from '../env-file.js';
import { printJson } from '../output.js';

interface ExportFlags {
  file?: string;
  output?: string;
  image?: string;
  namespace?: string;
  strict?: boolean;
}

/** Several files on stdout: each after a line naming it, as `head` prints several files. */
function stdoutText(engine: Engine, files: ExportFile[]): string {
  if (files.length === 1) return files[0]!.content;
  // Kubernetes objects make one stream of YAML documents, which `kubectl apply -f -` takes as it is.
  if (engine === 'k8s') return files.map((f) => f.content).join('---\n');
  return files.map((f) => `# ==> ${f.path} <==\n${f.content}`).join('\n');
}

/** The files into the folder `out`, created if needed; a folder that cannot be written is bad input, said in one sentence. */
function writeFiles(out: string, files: ExportFile[]): void {
  try {
    mkdirSync(out, { recursive: true });
    for (const f of files) writeFileSync(join(out, f.path), f.content);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw usageError(`${field('output')}: ${out} cannot be written (${code})`);
  }
}

function run(engine: Engine, ctx: Context, tasks: string[], flags: ExportFlags): number {
  const file = findEnvFile(flags.file);
  if (!file) throw usageError(`no env file: give -f FILE (looked for ${DEFAULT_FILES.join(', ')})`);
  if (flags.image !== undefined) {
    const problem = imageProblem(flags.image);
    if (problem) throw usageError(`${field('image')}: ${problem}`);
  }
  const spec = selectTasks(loadEnvFile(file, { callerEnv: callerEnv() }), tasks);
  // The env file as the header names it: relative to here when it is below, so the export does not name this machine's folders.
  const below = relative(process.cwd(), file);
  const source = below && !below.startsWith('..') ? below : file;
  const result = exportEnv(engine, {
    spec,
    source,
    ...(flags.image !== undefined ? { image: flags.image } : {}),
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
  });
  for (const w of result.warnings) process.stderr.write(`corral: export ${engine}: ${warningLine(w)}\n`);
  if (flags.strict && result.warnings.length > 0) {
    process.stderr.write(`corral: export ${engine}: ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'} with --strict: nothing written\n`);
    return 1;
  }
  const out = flags.output ?? '-';
  if (out !== '-') writeFiles(out, result.files);
  if (ctx.json) {
    const files = result.files.map((f) => (out === '-' ? f : { path: join(out, f.path) }));
    printJson({ engine, source, files, warnings: result.warnings });
  } else if (out === '-') {
    process.stdout.write(stdoutText(engine, result.files));
  }
  return 0;
}

export const exportCompose = async (ctx: Context, tasks: string[], flags: ExportFlags) => run('compose', ctx, tasks, flags);
export const exportK8s = async (ctx: Context, tasks: string[], flags: ExportFlags) => run('k8s', ctx, tasks, flags);
export const exportSystemd = async (ctx: Context, tasks: string[], flags: ExportFlags) => run('systemd', ctx, tasks, flags);
