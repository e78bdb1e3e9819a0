import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/faults/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Training tests are CPU-bound; two at once on a two-core machine.
    maxWorkers: 2,
    pool: 'forks',
  },
});
