import { createRequire } from 'node:module';

/**
 * A `require` that works both in the CommonJS bundles esbuild writes (where `__filename` exists)
 * and when the sources run as ES modules under vitest (where only `import.meta.url` does).
 */
export const nodeRequire = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
