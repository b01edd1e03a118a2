import type { HistoBridge } from '../../../src-shared/contract';
import { createHttpBridge } from './http-bridge';
import { takeSessionToken } from './session-token';

/**
 * The one place that knows which transport we run on: the Electron preload's `window.histo`, or
 * the HTTP/WebSocket client of `histo serve` when the page was opened in a browser.
 */
export function resolveBridge(win: Window = window): HistoBridge {
  if (win.histo) return win.histo;
  return createHttpBridge({ baseUrl: win.location.origin, token: takeSessionToken(win) });
}
