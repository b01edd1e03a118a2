import type { HistoBridge } from '../../src-shared/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in a plain browser, where the HTTP/WS client is used. */
    readonly histo: HistoBridge | undefined;
  }
}

export {};
