import type { CallEnvelope, JobEvent, SerializedError } from '../../../src-shared/contract';
import type { SlideImage } from '../slides-library/slide-images';

/**
 * The messages between a shell (Electron main, the HTTP server) and the core host that runs
 * HistoCore in its own thread or process. One protocol, whatever carries it: `worker_threads`
 * under Node, Electron's `utilityProcess` in the app. Everything in a message survives the
 * structured clone both transports use; errors travel in their serialized shape.
 */
export type ShellMessage =
  | { type: 'call'; id: number; method: unknown; input: unknown }
  | { type: 'image'; id: number; pathname: string; query: string }
  | { type: 'close' };

export type CoreMessage =
  | { type: 'ready' }
  | { type: 'reply'; id: number; envelope: CallEnvelope<unknown> }
  | { type: 'image'; id: number; image: SlideImageBytes }
  | { type: 'image-error'; id: number; error: SerializedError }
  | { type: 'event'; name: 'job.progress'; payload: JobEvent }
  | { type: 'start-failed'; error: SerializedError }
  | { type: 'closed' };

/** A slide image as it crosses: raw bytes rather than a Buffer, which the clone would not keep. */
export interface SlideImageBytes {
  contentType: SlideImage['contentType'];
  body: Uint8Array;
  volatile: boolean;
}

/**
 * One end of the link, as each transport adapts it: send a message (with buffers to move rather
 * than copy, where the transport can) and receive the other side's.
 */
export interface HostPort<Out, In> {
  post(message: Out, transfer?: ArrayBuffer[]): void;
  onMessage(listener: (message: In) => void): void;
}

/** What a shell may ask of the core, the same for the core host and a core in the same thread (tests). */
export interface CoreSurface {
  /** The contract's gate: validated input in, an envelope out (never a rejection). */
  dispatch(method: unknown, input: unknown): Promise<CallEnvelope<unknown>>;
  /** A slide, heatmap or class-map image by URL path and query; rejects with a HistoError. */
  renderSlideImage(pathname: string, query: URLSearchParams): Promise<SlideImage>;
  /** Job progress as the core emits it; returns the unsubscribe. */
  onJobEvent(listener: (event: JobEvent) => void): () => void;
  close(): Promise<void>;
}
