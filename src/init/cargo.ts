/** Rust: each binary of Cargo.toml a task run by `cargo run`, after a `cargo build` step. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { filesWith, readText, taskName } from './files.js';
import { programHealth } from './ports.js';
import type { Detection, InitTask } from './types.js';

export function detectCargo(dir: string): Detection | null {
  const manifest = readText(join(dir, 'Cargo.toml'));
  if (manifest === null) return null;
  const name = /^\[package\][^[]*?^name\s*=\s*"([^"]+)"/ms.exec(manifest)?.[1];
  const bins: { name: string; file: string }[] = [];
  for (const m of manifest.matchAll(/^\[\[bin\]\][^[]*?^name\s*=\s*"([^"]+)"(?:[^[]*?^path\s*=\s*"([^"]+)")?/gms)) {
    bins.push({ name: m[1]!, file: m[2] ?? `src/bin/${m[1]}.rs` });
  }
  for (const file of filesWith(join(dir, 'src', 'bin'), ['.rs'])) {
    const bin = file.replace(/\.rs$/, '');
    if (!bins.some((b) => b.name === bin)) bins.push({ name: bin, file: `src/bin/${file}` });
  }
  if (name && existsSync(join(dir, 'src', 'main.rs')) && !bins.some((b) => b.name === name)) bins.unshift({ name, file: 'src/main.rs' });
  if (bins.length === 0) return { source: 'Cargo.toml', tasks: [], notes: ['Cargo.toml: no binary (src/main.rs, src/bin/, [[bin]]): nothing to run'] };
  const build: InitTask = { name: 'build', command: 'cargo build', background: false, why: 'Cargo.toml: compiling is a step, so the servers\' health checks do not wait out a build' };
  const tasks = bins.map((bin): InitTask => {
    const { health, why } = programHealth(readText(join(dir, bin.file)) ?? '', bin.file);
    const command = bins.length === 1 ? 'cargo run' : `cargo run --bin ${bin.name}`;
    return { name: taskName(bin.name), command, background: true, depends_on: { build: 'succeeded' }, ...(health ? { health } : {}), why: `Cargo.toml binary "${bin.name}"; ${why}` };
  });
  return { source: 'Cargo.toml', tasks: [build, ...tasks], notes: [] };
}
