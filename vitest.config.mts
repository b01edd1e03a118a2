import { configDefaults, defineConfig } from 'vitest/config';
import { browserSkipMessage, findBrowser } from './test/helpers/find-browser.mjs';

// The end-to-end tests drive a real Chromium-family browser. Without one, a developer's `npm test`
// skips them with one line saying how to enable them; CI sets HISTO_REQUIRE_BROWSER=1 to fail instead.
const browser = findBrowser();
if (!browser && process.env.HISTO_REQUIRE_BROWSER === '1') throw new Error(`HISTO_REQUIRE_BROWSER=1: ${browserSkipMessage}`);
if (!browser) console.warn(browserSkipMessage);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The production-install tests run against an `npm ci --omit=dev` copy: `npm run test:production`.
    exclude: [...configDefaults.exclude, 'test/production/**', ...(browser ? [] : ['test/e2e/**'])],
    env: browser ? { HISTO_CHROMIUM: browser } : {},
    environment: 'node',
    // Native modules (better-sqlite3, onnxruntime-node, sharp) are safest in child processes.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
