import { describe, expect, it } from 'vitest';
import { imageProblem } from './image.js';

describe('imageProblem', () => {
  it.each(['node', 'node:20', 'node:20-bookworm-slim', 'library/redis:7.2', 'ghcr.io/acme/api:1.2', 'localhost:5000/api', 'registry.example.com:443/team/app_x:v1.0', `redis@sha256:${'a'.repeat(64)}`])('accepts %s', (image) => {
    expect(imageProblem(image)).toBeNull();
  });

  it.each(['', 'Node:20', 'node:', 'node 20', ':20', 'api/', 'node:20:21', '-node', 'node@sha256:xyz'])('refuses %j, naming it and the form', (image) => {
    expect(imageProblem(image)).toBe(`"${image}" is not an image reference: write it like node:20 or ghcr.io/acme/api:1.2`);
  });
});
