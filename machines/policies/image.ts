/**
 * Container image references (`node:20`, `ghcr.io/acme/api:1.2@sha256:…`), as an env file's
 * `image:` and `export --image` name them: checked when the file is read, so that a typo is
 * refused with its place in the file instead of by the engine at deploy time.
 */
// The grammar of the distribution reference (docker/distribution's reference.go), in one regex.
const DOMAIN = String.raw`(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?/)?`;
const PATH = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const TAG = String.raw`(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?`;
const DIGEST = String.raw`(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?`;
const REFERENCE = new RegExp(`^${DOMAIN}${PATH}(?:/${PATH})*${TAG}${DIGEST}$`);

/** Why `image` is not an image reference, or null when it is one. */
export function imageProblem(image: string): string | null {
  if (REFERENCE.test(image) && image.length <= 255) return null;
  return `"${image}" is not an image reference: write it like node:20 or ghcr.io/acme/api:1.2`;
}
