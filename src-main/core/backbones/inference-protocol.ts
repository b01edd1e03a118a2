import type { ErrorCode, ExecutionProviderName } from '../../../src-shared/contract';
import type { BackboneSpec } from './backbone-spec';
import type { SessionOptions } from './onnx-session';

/** What the extraction pipeline asks of a backbone, whichever thread runs it. */
export interface TileEmbedder {
  readonly provider: ExecutionProviderName;
  readonly dim: number;
  /** Batches it runs at once: the pipeline keeps this many in flight. */
  readonly parallelism: number;
  /**
   * Embeds `count` tiles from the start of `input` and hands `input` back with the result. The
   * buffer may travel to another thread meanwhile: use the returned one, not the one passed in.
   */
  embedBuffer(input: Float32Array, count: number): Promise<{ output: Float32Array; input: Float32Array }>;
  close(): Promise<void>;
}

/** Messages to the inference worker (inference.worker.ts). */
export type InferenceRequest =
  | { type: 'open'; file: string; spec: BackboneSpec; options: SessionOptions }
  | { type: 'embed'; id: number; input: Float32Array; count: number }
  | { type: 'close' };

/** Messages from it: the session opened (or not), and one answer per embed request. */
export type InferenceResponse =
  | { type: 'opened'; provider: ExecutionProviderName }
  | { type: 'embedded'; id: number; output: Float32Array; input: Float32Array }
  | { type: 'failed'; id: number | null; code: ErrorCode; message: string; input?: Float32Array }
  | { type: 'closed' };
