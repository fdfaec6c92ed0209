/**
 * Errors that point into the file: every refusal of an env file is a usage error that starts
 * with `file:line:col`, found from the nodes of its YAML document, and says what to write.
 */
import { isMap, LineCounter, parseDocument, type Document, type Node as YamlNode, type Pair } from 'yaml';
import type { z } from 'zod/v3';
import { suggestion } from '../../../machines/policies/dependencies.js';
import { usageError } from '../../errors.js';
import { refuseDuplicateKeys } from './guards.js';

/** A path into the document: map keys and list indexes. */
export type NodePath = (string | number)[];

const pathKey = (path: NodePath) => path.map(String).join('\0');

export class Located {
  /** The variables that were not set, by the place of the value they were expanded in. */
  private readonly unset = new Map<string, Set<string>>();

  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lines: LineCounter,
  ) {}

  noteUnset(path: NodePath, name: string): void {
    const key = pathKey(path);
    const names = this.unset.get(key) ?? new Set<string>();
    this.unset.set(key, names.add(name));
  }

  /** `; ${PORT} is not set (…)` when the value at `path` (or its `key`) lost a variable that was not set. */
  private unsetNote(path: NodePath, key?: string): string {
    const places = key !== undefined ? [path, [...path, key]] : [path];
    const names = [...new Set(places.flatMap((p) => [...(this.unset.get(pathKey(p)) ?? [])]))];
    if (names.length === 0) return '';
    const refs = names.map((n) => `\${${n}}`);
    const verb = refs.length === 1 ? 'is' : 'are';
    return `; ${refs.join(', ')} ${verb} not set (an unset variable expands to nothing: set it, or give a default with \${${names[0]}:-value})`;
  }

  /** `file:line:col` of the node at `path` (or of the key `key` in the map there). */
  at(path: NodePath, key?: string): string {
    let node: unknown = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    // Walk up to the nearest ancestor that exists (a missing key points at its map).
    for (let cut = path.length; node === undefined && cut > 0; cut--) {
      node = cut - 1 === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, cut - 1), true);
    }
    if (key !== undefined && isMap(node)) {
      const pair = (node.items as Pair[]).find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === key);
      if (pair?.key) node = pair.key;
    }
    const range = (node as YamlNode | undefined)?.range;
    const pos = this.lines.linePos(range ? range[0] : 0);
    return `${this.file}:${pos.line}:${pos.col}`;
  }

  fail(path: NodePath, message: string, key?: string): never {
    throw usageError(`${this.at(path, key)}: ${message}${this.unsetNote(path, key)}`);
  }

  /** Refuses at a node found by a walk of the document rather than by its path. */
  failAtNode(node: unknown, message: string): never {
    const range = (node as YamlNode | null)?.range;
    const pos = this.lines.linePos(range ? range[0] : 0);
    throw usageError(`${this.file}:${pos.line}:${pos.col}: ${message}`);
  }
}

/** The YAML document of `text`, or the usage error of its first syntax error, at its position. */
export function parseLocated(file: string, text: string): Located {
  const lines = new LineCounter();
  // Keys are checked for repeats afterwards, in linear time (see guards.ts).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0] ?? lines.linePos(syntax.pos[0]);
    throw usageError(`${file}:${pos.line}:${pos.col}: ${syntax.message.split('\n')[0]}`);
  }
  const loc = new Located(file, doc, lines);
  refuseDuplicateKeys(loc);
  return loc;
}

interface FlatIssue {
  path: NodePath;
  code: string;
  message: string;
  keys?: string[];
}

/** Marks the issue of a map's key (zod's v3 API reports it at the key's path, as it would its value's). */
export const RECORD_KEY = 'recordKey';

/** The issue to report, with its full path: inside a union, the branch the value was meant for. */
function flatten(issue: z.ZodIssue): FlatIssue {
  const path = issue.path as NodePath;
  if (issue.code === 'invalid_union' && issue.unionErrors.length > 0) {
    const firsts = issue.unionErrors.map((branch) => branch.issues[0]).filter((i): i is z.ZodIssue => i !== undefined);
    // A branch whose type matched failed for a reason worth telling; "expected object" from the others is not.
    // A deeper issue means the branch's shape matched; among shallow ones, a wrong value beats a wrong type.
    const deepest = [...firsts].sort((x, y) => y.path.length - x.path.length)[0]!;
    const meant = deepest.path.length > path.length ? deepest : firsts.find((i) => i.code !== 'invalid_type');
    if (meant) return flatten(meant);
    const expected = [...new Set(firsts.map((i) => (i as { expected?: string }).expected).filter(Boolean))];
    return { path, code: 'invalid_type', message: `expected ${expected.join(' or ')}` };
  }
  if (issue.code === 'custom' && issue.params?.[RECORD_KEY]) return { path, code: 'invalid_key', message: issue.message };
  if (issue.code === 'unrecognized_keys') return { path, code: issue.code, message: issue.message, keys: issue.keys };
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return { path, code: 'missing', message: issue.message };
  return { path, code: issue.code, message: issue.message };
}

/** Refuses a value the schema did not take, at the place of its first issue; `keysOf` lists the keys valid at a path. */
export function zodFailure(loc: Located, error: z.ZodError, keysOf: (path: PropertyKey[]) => string[]): never {
  // An unknown key explains a "missing" one (a misspelt `comand:`), so it is told first.
  const issue = flatten(error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!);
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys![0]!;
    const valid = keysOf(path);
    loc.fail(path, `unknown key "${key}"${suggestion(key, valid)} (valid: ${valid.join(', ')})`, key);
  }
  if (issue.code === 'invalid_key') {
    loc.fail(path.slice(0, -1), `"${path[path.length - 1]}": ${issue.message}`, String(path[path.length - 1]));
  }
  if (issue.code === 'missing') {
    const missing = String(path[path.length - 1]);
    loc.fail(path.slice(0, -1), `"${missing}" is required`);
  }
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  loc.fail(path, `${where}${issue.message}`);
}
