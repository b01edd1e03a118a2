// What the decode pool (decode-pool.ts) and its workers (tile-decode.worker.ts) say to each other:
// a module of its own, so the worker bundle does not carry the pool.
import type { TileCodec } from './tiff/tiff-image';

/** Where a tile's bytes lie in an open file: the worker reads them itself (FileReader.lend keeps the descriptor open). */
export interface FileSpan {
  fd: number;
  offset: number;
  length: number;
}

export interface DecodeRequest {
  id: number;
  /** The tile's compressed bytes, or where the worker reads them. */
  bytes: Uint8Array | FileSpan;
  /** The tile's codec, by a number the pool gives each codec object. */
  codecId: number;
  /** The codec itself, only in the first request for it that a worker gets: cloning it for every tile cost the main thread more than the tile bytes. */
  codec?: TileCodec;
  /** Reply with the tile box-reduced instead (coarse reads: a factor^2 fewer bytes back). */
  reduce?: TileReduction;
}

/** A whole-factor box reduction of a decoded tile, of its pixels inside the image (an edge tile is padded past them). */
export interface TileReduction {
  factor: number;
  validWidth: number;
  validHeight: number;
}

export type DecodeResponse =
  | { id: number; width: number; height: number; data: Uint8Array; error?: undefined }
  | { id: number; error: string; readFailed?: boolean };

/**
 * Codecs a worker keeps, oldest dropped first. The pool tracks each worker's the same way (a codec
 * is added on both sides exactly when it is sent), so it knows when to send one again.
 */
export const WORKER_CODECS = 256;

/** Adds a codec id to a worker's set, dropping the oldest past WORKER_CODECS (the pool and the worker both call this). */
export function rememberCodec<T>(codecs: Map<number, T>, id: number, codec: T): void {
  codecs.set(id, codec);
  if (codecs.size > WORKER_CODECS) codecs.delete(codecs.keys().next().value!);
}

/**
 * One message each way carries several tiles: a worker wakes once for all the tiles queued for it.
 * `recycle` brings back buffers of tiles the cache let go, for the worker to decode into again.
 */
export interface DecodeMessage {
  requests: DecodeRequest[];
  recycle?: ArrayBuffer[];
  /** Start the decoders before the first tile (answered with an empty reply). */
  warm?: true;
}
export type DecodeReply = DecodeResponse[];
