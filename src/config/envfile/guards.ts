/**
 * Checks on the YAML document that the parser would make too slowly or say too vaguely:
 * duplicate keys (the parser's own check compares each key with every earlier one of its
 * map, quadratic in a file of 10,000 tasks), and the alias that makes a "billion laughs"
 * file explode, pointed at in the file.
 */
import { isAlias, isCollection, isPair, isScalar, visit, type Alias, type Document } from 'yaml';
import type { Located } from './located.js';

/** Refuses the first key that repeats one of its map, as the parser would (same message, same place). */
export function refuseDuplicateKeys(loc: Located): void {
  visit(loc.doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) loc.failAtNode(pair.key, 'Map keys must be unique');
        seen.add(key);
      }
    },
  });
}

/** The alias that expands to the most values, and how many; null when the document has none. */
function biggestAlias(doc: Document): { alias: Alias; size: number } | null {
  const anchors = new Map<string, unknown>();
  const sizes = new Map<unknown, number>();
  let biggest: { alias: Alias; size: number } | null = null;
  // A value's size once every alias in it is expanded; an anchor is always defined before its aliases.
  const size = (node: unknown): number => {
    if (node === null || typeof node !== 'object') return 1;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const expanded = sizes.get(target) ?? 1;
      if (!biggest || expanded > biggest.size) biggest = { alias: node, size: expanded };
      return expanded;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node);
    let total = 1;
    if (isPair(node)) total = size(node.key) + size(node.value);
    else if (isCollection(node)) for (const item of node.items) total += size(item);
    sizes.set(node, Math.min(total, Number.MAX_SAFE_INTEGER));
    return total;
  };
  size(doc.contents);
  return biggest;
}

/**
 * The document as plain values. Aliases of aliases are limited (the parser's `maxAliasCount`):
 * past the limit the file is refused at its biggest alias, not expanded into gigabytes.
 */
export function plainValues(loc: Located): unknown {
  try {
    return loc.doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const culprit = /resource exhaustion/.test(error.message) ? biggestAlias(loc.doc) : null;
    if (!culprit) loc.fail([], error.message);
    loc.failAtNode(
      culprit.alias,
      `the alias *${culprit.alias.source} would expand to ${culprit.size.toLocaleString('en-US')} values, and aliases nested this deep are refused (a "billion laughs" file)`,
    );
  }
}
