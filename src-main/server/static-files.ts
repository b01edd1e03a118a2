import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { securityHeaders } from './security-headers';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Serves a file of the built renderer; paths that leave the folder are refused. */
export function serveStatic(rootDir: string, urlPath: string, res: ServerResponse, extraHeaders: Record<string, string> = {}): void {
  const relative = decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath);
  const file = path.resolve(rootDir, '.' + relative);
  if (!file.startsWith(path.resolve(rootDir) + path.sep)) {
    res.writeHead(403, securityHeaders).end('forbidden');
    return;
  }
  fs.readFile(file, (err, body) => {
    if (err) {
      const missingRenderer = relative === '/index.html';
      res
        .writeHead(404, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' })
        .end(missingRenderer ? `renderer not built: ${file} is missing (run npm run build)` : 'not found');
      return;
    }
    const type = contentTypes[path.extname(file)] ?? 'application/octet-stream';
    const cache = type.startsWith('text/html') ? 'no-store' : 'private, max-age=3600';
    res.writeHead(200, { ...securityHeaders, ...extraHeaders, 'Content-Type': type, 'Cache-Control': cache }).end(body);
  });
}
