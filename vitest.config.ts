import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['machines/**/*.test.ts', 'test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real processes and daemons; two workers fit a 2-core machine.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
