// Pure decisions of the Electron shell's security, kept free of `electron` imports so plain-Node
// tests check exactly what the shell applies.

/** webPreferences of every window we open. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

/** Our window may show only the renderer's own page; everything else (links, redirects) is refused. */
export function isAllowedNavigation(targetUrl: string, rendererIndexUrl: string): boolean {
  try {
    const target = new URL(targetUrl);
    const own = new URL(rendererIndexUrl);
    return target.protocol === own.protocol && target.host === own.host && target.pathname === own.pathname;
  } catch {
    return false;
  }
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Requests the renderer may make: its own files, our protocols, data/blob URLs, and loopback.
 * Anything that would leave the machine is cancelled (the app is offline by construction).
 */
export function isAllowedRequest(requestUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return false;
  }
  if (['file:', 'histo:', 'data:', 'blob:', 'devtools:', 'chrome-extension:'].includes(url.protocol)) return true;
  if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return loopbackHosts.has(url.hostname);
  return false;
}

/** Permission requests (camera, notifications, geolocation, ...) are all denied: the app needs none. */
export function decidePermission(_permission: string): boolean {
  return false;
}
