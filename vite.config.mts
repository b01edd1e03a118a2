import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { contentSecurityPolicy } from './src-shared/security/content-security-policy';

/**
 * Writes the one CSP of src-shared into index.html for file:// in Electron. frame-ancestors is
 * dropped there: browsers ignore it in a meta tag and log an error (the server sends it as a header).
 */
function contentSecurityPolicyMeta(): Plugin {
  const metaPolicy = contentSecurityPolicy
    .split('; ')
    .filter((directive) => !directive.startsWith('frame-ancestors'))
    .join('; ');
  return {
    name: 'histo-csp-meta',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: metaPolicy }, injectTo: 'head-prepend' }],
  };
}

/**
 * The renderer bundle. `base: './'` keeps every asset URL relative, so the same build loads from
 * file:// in Electron and from / in the browser served by `histo serve`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src-renderer', import.meta.url)),
  base: './',
  plugins: [vue(), contentSecurityPolicyMeta()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill is only needed by browsers without modulepreload; Electron and Chromium have it.
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1', strictPort: false },
});
