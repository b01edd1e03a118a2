import type sharpFn from 'sharp';
import { nodeRequire } from '../node-require';

export type Sharp = typeof sharpFn;

let loaded: Sharp | undefined;

/**
 * sharp, loaded once per thread. Parallelism comes from our decode workers and libuv, so each
 * libvips call gets one thread; libvips' operation cache is off (we keep our own tile cache).
 */
export function loadSharp(): Sharp {
  if (!loaded) {
    loaded = nodeRequire('sharp') as Sharp;
    loaded.concurrency(1);
    loaded.cache(false);
  }
  return loaded;
}
