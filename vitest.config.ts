import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'client-sdk/test/**/*.test.ts', 'client-sdk/test/**/*.test.tsx', 'demo/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real redis-server and gateway processes: keep parallelism modest on a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
  },
});
