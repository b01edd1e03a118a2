import { EventEmitter } from 'node:events';
import type { CallEnvelope, JobEvent } from '../../../src-shared/contract';
import { HistoError } from '../errors';
import type { SlideImage } from '../slides-library/slide-images';
import type { CoreMessage, CoreSurface, HostPort, ShellMessage } from './host-protocol';

/** A transport's end on the shell's side: the port, plus the life of the thread or process behind it. */
export interface HostChannel extends HostPort<ShellMessage, CoreMessage> {
  /** Called once if the core's thread or process ends, with a few words on how. */
  onExit(listener: (how: string) => void): void;
  terminate(): void;
}

/** How long `close` waits for the core to close its project before ending the thread anyway. */
const CLOSE_GRACE_MS = 10_000;

interface PendingImage {
  resolve: (image: SlideImage) => void;
  reject: (err: HistoError) => void;
}

/**
 * The shell's handle on a core that runs elsewhere: the same surface as an in-process core, over
 * the host protocol. The shell's thread only routes: every call, image and event is a message.
 * If the core's thread or process dies, pending and later calls answer INTERNAL, never hang.
 */
export class CoreHostClient implements CoreSurface {
  private nextId = 1;
  private readonly calls = new Map<number, (envelope: CallEnvelope<unknown>) => void>();
  private readonly images = new Map<number, PendingImage>();
  private readonly events = new EventEmitter<{ progress: [JobEvent]; stopped: [string] }>();
  /** Why the core is gone, once it is. */
  private stopped: string | null = null;
  private closing: Promise<void> | null = null;
  private readonly closed: Promise<void>;
  private markClosed!: () => void;
  /** Settles when the core answered `ready` (or failed to start). */
  readonly ready: Promise<void>;

  constructor(private readonly channel: HostChannel) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    this.ready = new Promise((resolve, reject) => {
      channel.onMessage((message) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'start-failed') {
          this.stop(`it failed to start: ${message.error.message}`);
          reject(new HistoError(message.error.code, `the core failed to start: ${message.error.message}`));
        } else this.receive(message);
      });
      channel.onExit((how) => {
        this.stop(`its ${how}`);
        reject(new HistoError('INTERNAL', `the core stopped before it was ready (${how})`));
      });
    });
    // A shell that never awaits `ready` learns of a failed start from its calls.
    this.ready.catch(() => undefined);
  }

  /** Starts over `channel` and resolves once the core is ready to answer. */
  static async start(channel: HostChannel): Promise<CoreHostClient> {
    const client = new CoreHostClient(channel);
    await client.ready;
    return client;
  }

  async dispatch(method: unknown, input: unknown): Promise<CallEnvelope<unknown>> {
    // Some transports drop what is posted before the other side listens.
    await this.ready.catch(() => undefined);
    if (this.stopped) return this.stoppedEnvelope();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.calls.set(id, resolve);
      this.channel.post({ type: 'call', id, method, input });
    });
  }

  async renderSlideImage(pathname: string, query: URLSearchParams): Promise<SlideImage> {
    await this.ready.catch(() => undefined);
    if (this.stopped) return Promise.reject(new HistoError('INTERNAL', this.stoppedEnvelope().error.message));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.images.set(id, { resolve, reject });
      this.channel.post({ type: 'image', id, pathname, query: query.toString() });
    });
  }

  onJobEvent(listener: (event: JobEvent) => void): () => void {
    this.events.on('progress', listener);
    return () => this.events.off('progress', listener);
  }

  /**
   * Called once when the core ends without being asked to (its thread or process died or failed
   * to start), with the reason; never after `close`.
   */
  onUnexpectedStop(listener: (reason: string) => void): void {
    this.events.once('stopped', listener);
  }

  /** Ends the core's thread or process at once, without letting it close its project: a hung core, or a test of a crash. */
  kill(): void {
    this.channel.terminate();
  }

  /** Asks the core to close its project and jobs, then ends its thread or process. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.stopped) {
        this.channel.post({ type: 'close' });
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
        clearTimeout(timer);
      }
      this.stop('it was closed');
      this.channel.terminate();
    })();
    return this.closing;
  }

  private receive(message: CoreMessage): void {
    switch (message.type) {
      case 'reply':
        this.calls.get(message.id)?.(message.envelope);
        this.calls.delete(message.id);
        return;
      case 'image': {
        const { body, contentType, volatile } = message.image;
        this.images.get(message.id)?.resolve({ contentType, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength), volatile });
        this.images.delete(message.id);
        return;
      }
      case 'image-error':
        this.images.get(message.id)?.reject(new HistoError(message.error.code, message.error.message, { cli: message.error.cli }));
        this.images.delete(message.id);
        return;
      case 'event':
        this.events.emit('progress', message.payload);
        return;
      case 'closed':
        this.markClosed();
        return;
    }
  }

  /** Marks the core gone and answers everything still waiting. */
  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = reason;
    if (!this.closing) this.events.emit('stopped', reason);
    this.markClosed();
    const envelope = this.stoppedEnvelope();
    for (const resolve of this.calls.values()) resolve(envelope);
    for (const pending of this.images.values()) pending.reject(new HistoError('INTERNAL', envelope.error.message));
    this.calls.clear();
    this.images.clear();
  }

  private stoppedEnvelope(): { ok: false; error: { code: 'INTERNAL'; message: string } } {
    return { ok: false, error: { code: 'INTERNAL', message: `the core is not running: ${this.stopped ?? 'unknown reason'}` } };
  }
}
