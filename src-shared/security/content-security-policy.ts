/**
 * The Content-Security-Policy of the renderer, wherever it runs: the <meta> tag Vite writes into
 * index.html, the header the Electron session adds, and the header `histo serve` sends. Only our
 * own scripts, no eval, no remote hosts; `histo:` is the slide-tile protocol of the Electron shell.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: histo:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
