import type { ExecutionProviderName } from '../../../src-shared/contract';
import { openTileEmbedder } from '../backbones/worker-embedder';
import { floatsPerTile } from '../backbones/preprocess';
import { backboneModelFile } from '../extraction/backbone-model-file';
import type { StoredBackbone } from '../project/repos/backbones-repo';

/**
 * Raw inference speed of a backbone on preallocated batches (no decoding, no database): what the
 * provider can do, and the ceiling for end-to-end extraction.
 */
export async function benchBackbone(
  backbone: StoredBackbone,
  options: { batchSize: number; provider?: 'auto' | ExecutionProviderName; minSeconds?: number },
): Promise<{ tilesPerSecond: number; provider: ExecutionProviderName; batch: number }> {
  // Off this thread, like extraction: a bench of several seconds must not stall the UI's process.
  const embedder = await openTileEmbedder(backboneModelFile(backbone), backbone, { provider: options.provider });
  try {
    // One batch per session in flight, as extraction runs them: the pool's throughput, not one session's.
    const inputs: Float32Array[] = Array.from({ length: embedder.parallelism }, () => {
      const input = new Float32Array(options.batchSize * floatsPerTile(backbone));
      for (let i = 0; i < input.length; i++) input[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
      return input;
    });
    // Warm-up: the first run of each session allocates and tunes.
    await Promise.all(inputs.map(async (input, i) => (inputs[i] = (await embedder.embedBuffer(input, options.batchSize)).input)));
    const minSeconds = options.minSeconds ?? 3;
    let runs = 0;
    const start = performance.now();
    await Promise.all(
      inputs.map(async (_, i) => {
        while (runs < 3 || performance.now() - start < minSeconds * 1000) {
          inputs[i] = (await embedder.embedBuffer(inputs[i]!, options.batchSize)).input;
          runs++;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    return { tilesPerSecond: (runs * options.batchSize) / seconds, provider: embedder.provider, batch: options.batchSize };
  } finally {
    await embedder.close();
  }
}
