import { defineConfig } from 'vitest/config';

// `npm run test:production`: the app as users install it (test/production/production-setup.ts).
export default defineConfig({
  test: {
    include: ['test/production/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // One install shared by the files; the CLI flow is CPU-bound, so the files run one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    globalSetup: ['test/production/production-setup.ts'],
  },
});
