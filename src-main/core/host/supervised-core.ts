import { EventEmitter } from 'node:events';
import type { CallEnvelope, JobEvent } from '../../../src-shared/contract';
import { HistoError } from '../errors';
import type { SlideImage } from '../slides-library/slide-images';
import type { CoreHostClient } from './core-host-client';
import type { CoreSurface } from './host-protocol';

export interface SupervisedCoreOptions {
  /** At most this many restarts within `restartWindowMs`; one more and the core stays down. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Told of each restart (for the log), with why the core ended. */
  onRestart?: (reason: string) => void;
}

const DEFAULT_MAX_RESTARTS = 3;
const DEFAULT_RESTART_WINDOW_MS = 60_000;

/**
 * A core host that comes back if its thread or process dies (a native crash in a decoder or in ONNX
 * Runtime, the OS killing it for memory). The shell keeps one surface: calls made while the core
 * restarts wait for it. The project that was open is opened again, so the window the user works in
 * still shows it; jobs that were running are reported failed with the reason, never left spinning.
 * Crash safety of the project file itself is SQLite's (the kill tests). A core that keeps dying is
 * left down after a few restarts, and calls then say why.
 */
export class SupervisedCore implements CoreSurface {
  private client: CoreHostClient;
  private restarting: Promise<void> | null = null;
  private down: string | null = null;
  private closed = false;
  private readonly restarts: number[] = [];
  /** The project the user has open, as the core last confirmed it. */
  private openProject: string | null = null;
  private readonly runningJobs = new Map<string, JobEvent>();
  private readonly events = new EventEmitter<{ progress: [JobEvent] }>();
  private readonly maxRestarts: number;
  private readonly restartWindowMs: number;

  /** Starts the first core and watches it; calls wait until it is ready. */
  constructor(
    private readonly startCore: () => CoreHostClient,
    private readonly options: SupervisedCoreOptions = {},
  ) {
    this.maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
    this.restartWindowMs = options.restartWindowMs ?? DEFAULT_RESTART_WINDOW_MS;
    this.client = startCore();
    this.watch(this.client);
  }

  /** As the constructor, and resolves once the first core is ready: its failure to start is the caller's error. */
  static async start(startCore: () => CoreHostClient, options: SupervisedCoreOptions = {}): Promise<SupervisedCore> {
    const supervised = new SupervisedCore(startCore, options);
    await supervised.client.ready;
    return supervised;
  }

  /** The core answering now: for tests that end it on purpose. */
  get current(): CoreHostClient {
    return this.client;
  }

  async dispatch(method: unknown, input: unknown): Promise<CallEnvelope<unknown>> {
    await this.restarting;
    if (this.down) return { ok: false, error: { code: 'INTERNAL', message: this.down } };
    const envelope = await this.client.dispatch(method, input);
    if (envelope.ok) this.noteProject(method, envelope.result);
    return envelope;
  }

  async renderSlideImage(pathname: string, query: URLSearchParams): Promise<SlideImage> {
    await this.restarting;
    if (this.down) throw new HistoError('INTERNAL', this.down);
    return this.client.renderSlideImage(pathname, query);
  }

  onJobEvent(listener: (event: JobEvent) => void): () => void {
    this.events.on('progress', listener);
    return () => this.events.off('progress', listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.restarting;
    await this.client.close();
  }

  private watch(client: CoreHostClient): void {
    client.onJobEvent((event) => {
      if (event.state === 'running') this.runningJobs.set(event.jobId, event);
      else this.runningJobs.delete(event.jobId);
      this.events.emit('progress', event);
    });
    client.onUnexpectedStop((reason) => {
      if (this.closed || client !== this.client) return;
      this.restarting = this.restart(reason).finally(() => (this.restarting = null));
    });
  }

  private async restart(reason: string): Promise<void> {
    this.failRunningJobs(`The workstation's core stopped (${reason}) and was restarted; this job did not finish. Run it again.`);
    const now = Date.now();
    while (this.restarts.length > 0 && now - this.restarts[0]! > this.restartWindowMs) this.restarts.shift();
    if (this.restarts.length >= this.maxRestarts) {
      this.down = `the workstation's core stopped ${this.restarts.length + 1} times within ${Math.round(this.restartWindowMs / 1000)} s (last: ${reason}); restart the app`;
      return;
    }
    this.restarts.push(now);
    this.options.onRestart?.(reason);
    this.client = this.startCore();
    this.watch(this.client);
    try {
      await this.client.ready;
    } catch (err) {
      this.down = `the workstation's core stopped (${reason}) and could not be restarted: ${(err as Error).message}`;
      return;
    }
    if (this.openProject === null) return;
    const reopened = await this.client.dispatch('project.open', { path: this.openProject });
    if (!reopened.ok) this.openProject = null;
  }

  /** Remembers which project is open from the calls that change it, so a restart can reopen it. */
  private noteProject(method: unknown, result: unknown): void {
    if (method === 'project.open' || method === 'project.create') this.openProject = (result as { path: string }).path;
    else if (method === 'project.close') this.openProject = null;
  }

  private failRunningJobs(message: string): void {
    for (const job of this.runningJobs.values()) {
      this.events.emit('progress', { ...job, state: 'failed', rate: 0, etaSeconds: null, message });
    }
    this.runningJobs.clear();
  }
}
