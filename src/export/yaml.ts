/**
 * YAML as the engines read it: YAML 1.1 (docker-compose's PyYAML, Kubernetes' go-yaml), so
 * that strings like `no`, `on` or `0755` are quoted and never read back as booleans or
 * octal numbers; no folded lines, so a long command stays one line in a review.
 */
import { Document } from 'yaml';

export function yamlText(header: string[], value: unknown): string {
  // A value used twice (a readiness probe that is also the liveness probe) is written twice, not as an alias.
  const doc = new Document(value, { version: '1.1', aliasDuplicateObjects: false });
  if (header.length > 0) doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}
