import type { JobContext } from '../jobs/job-registry';
import { failureOf, HistoError } from '../errors';
import { isDiskFull } from '../project/disk-full';
import type { ExtractionInput } from './collect-inputs';
import type { PlannedSource } from './extraction-plan';
import { pairsToEmbed, type PipelineSource, type SourceStream } from './embedding-pipeline';

type Outcome = { plan: PlannedSource } | { error: unknown };

/**
 * The inputs of an extraction, each planned (registered, its tissue found, its tiles listed) one
 * ahead of the pipeline: slide i+1's tissue is found while slide i's tiles are read and embedded,
 * so the backbone does not wait for a whole study to be planned before its first tile, and only
 * two slides' tile lists are held at a time. Planned all at once, a study's lists took about 190
 * bytes of heap per tile: 1.1 GB for 200 slides of 30k tiles, more than V8 allows for 2,000.
 *
 * An input that cannot be planned (a broken file, a slide without resolution) is listed in
 * `failed` and skipped; cancellation and a full disk end the run. Iterated once: the counts below
 * are of that one pass.
 */
export class PlannedSources implements SourceStream {
  /** Paths of the inputs planned, and their tiles and (tile, view) pairs still to embed. */
  readonly paths: string[] = [];
  tiles = 0;
  private missing = 0;
  private tried = 0;

  constructor(
    private readonly inputs: readonly ExtractionInput[],
    private readonly planOne: (input: ExtractionInput) => Promise<PlannedSource>,
    private readonly failed: Array<{ path: string; message: string }>,
    private readonly ctx?: JobContext,
  ) {}

  /** Inputs planned so far. */
  get slides(): number {
    return this.paths.length;
  }

  /**
   * Pairs to embed: exact once every input is planned; until then those of the planned inputs
   * plus, for each input not yet planned, their mean (so the progress bar's ETA is an estimate
   * from the first slide on, and settles as planning catches up).
   */
  expectedTotal(): number {
    const left = this.inputs.length - this.tried;
    return this.missing + (left > 0 && this.slides > 0 ? Math.round((left * this.missing) / this.slides) : 0);
  }

  private async plan(index: number): Promise<Outcome> {
    const input = this.inputs[index]!;
    try {
      this.ctx?.throwIfCancelled();
      const plan = await this.planOne(input);
      await plan.source.close();
      return { plan };
    } catch (err) {
      return { error: err };
    }
  }

  private record(index: number, outcome: Outcome): PipelineSource | undefined {
    this.tried++;
    if ('error' in outcome) {
      const { error } = outcome;
      if ((error instanceof HistoError && error.code === 'CANCELLED') || isDiskFull(error)) throw error;
      this.failed.push(failureOf(this.inputs[index]!.path, error));
      return undefined;
    }
    const { plan } = outcome;
    this.paths.push(plan.input.path);
    this.tiles += plan.tiles.length;
    this.missing += pairsToEmbed(plan.missing);
    return { path: plan.input.path, kind: plan.input.kind, missing: plan.missing };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PipelineSource> {
    if (this.inputs.length === 0) return;
    this.ctx?.progress(0, null, `preparing 1/${this.inputs.length}: ${this.inputs[0]!.path}`);
    let next: Promise<Outcome> | undefined = this.plan(0);
    try {
      for (let index = 0; index < this.inputs.length; index++) {
        const outcome: Outcome = await next!;
        next = index + 1 < this.inputs.length ? this.plan(index + 1) : undefined;
        const source = this.record(index, outcome);
        if (source) yield source;
      }
    } finally {
      // The pipeline stopped early (a failure, a cancel): the slide being planned may still write
      // its tiling; the run ends only after it has.
      await next;
    }
  }
}
