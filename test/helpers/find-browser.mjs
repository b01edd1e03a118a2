// Plain JavaScript (types in find-browser.d.mts): vitest.config.mts loads it before any TypeScript
// transform exists.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/**
 * The Chromium-family browser the end-to-end tests drive. Order: HISTO_CHROMIUM (a path the
 * developer chose; a wrong one is an error, not a silent skip), a browser that
 * `npx playwright-core install chromium` downloaded, then the install paths playwright-core's
 * `chrome`, `msedge` and `chromium` channels look in on Linux, macOS and Windows.
 */
export function findBrowser(env = process.env) {
  const chosen = env.HISTO_CHROMIUM;
  if (chosen) {
    if (!fs.existsSync(chosen)) throw new Error(`HISTO_CHROMIUM=${chosen}: no such file; point it at a Chromium, Chrome or Edge executable`);
    return chosen;
  }
  return browserCandidates(env).find((file) => fs.existsSync(file)) ?? null;
}

/** Launch options for playwright-core: headless, no sandbox (CI runs as root), offline. */
export function browserLaunchOptions(executablePath) {
  return { executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] };
}

/** How to get the browser tests back, printed when they are skipped. */
export const browserSkipMessage =
  'browser tests skipped: no Chromium, Chrome or Edge found; install one or set HISTO_CHROMIUM=/path/to/chrome (HISTO_REQUIRE_BROWSER=1 makes this an error)';

function browserCandidates(env) {
  const downloaded = playwrightDownload();
  const found = downloaded ? [downloaded] : [];
  if (process.platform === 'darwin') {
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'];
    return [...found, ...apps.flatMap((app) => [path.join('/Applications', app), path.join(os.homedir(), 'Applications', app)])];
  }
  if (process.platform === 'win32') {
    const roots = [env.LOCALAPPDATA, env.PROGRAMFILES, env['PROGRAMFILES(X86)']].filter(Boolean);
    const exes = ['Google\\Chrome\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe', 'Chromium\\Application\\chrome.exe'];
    return [...found, ...roots.flatMap((root) => exes.map((exe) => path.win32.join(root, exe)))];
  }
  const linux = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/opt/google/chrome/chrome', '/usr/bin/microsoft-edge', '/opt/microsoft/msedge/msedge'];
  return [...found, ...linux];
}

/** Where playwright-core keeps a browser it downloaded, or null when it has none for this platform. */
function playwrightDownload() {
  try {
    return chromium.executablePath();
  } catch {
    return null;
  }
}
