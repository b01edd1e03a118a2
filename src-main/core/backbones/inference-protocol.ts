import type { ErrorCode, ExecutionProviderName } from '../../../src-shared/contract';
import type { BackboneSpec } from './backbone-spec';
import type { EmbedderOptions, TileBatch } from './embedder';

/** What the extraction pipeline asks of a backbone, whichever thread runs it. */
export interface TileEmbedder {
  readonly provider: ExecutionProviderName;
  readonly dim: number;
  /** Batches it runs at once: the pipeline keeps this many in flight. */
  readonly parallelism: number;
  /**
   * Embeds `count` tiles from the start of `input` (floats, or RGB bytes when opened with
   * `pixelInput`) and hands `input` back with the result. The buffer may travel to another thread
   * meanwhile: use the returned one, not the one passed in. A batch in shared memory
   * (SharedArrayBuffer) stays where it is and comes back as the same array.
   */
  embedBuffer<T extends TileBatch>(input: T, count: number): Promise<{ output: Float32Array; input: T }>;
  close(): Promise<void>;
}

/** Messages to the inference worker (inference.worker.ts). */
export type InferenceRequest =
  | { type: 'open'; file: string; spec: BackboneSpec; options: EmbedderOptions }
  | { type: 'embed'; id: number; input: TileBatch; count: number }
  | { type: 'close' };

/** Messages from it: the session opened (or not), and one answer per embed request. */
export type InferenceResponse =
  | { type: 'opened'; provider: ExecutionProviderName }
  /** `input` is null for a batch in shared memory, which never left its owner. */
  | { type: 'embedded'; id: number; output: Float32Array; input: TileBatch | null }
  | { type: 'failed'; id: number | null; code: ErrorCode; message: string; input?: TileBatch }
  | { type: 'closed' };
