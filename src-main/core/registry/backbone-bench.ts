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
    let input: Float32Array = new Float32Array(options.batchSize * floatsPerTile(backbone));
    for (let i = 0; i < input.length; i++) input[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
    input = (await embedder.embedBuffer(input, options.batchSize)).input; // warm-up: first run allocates and tunes
    const minSeconds = options.minSeconds ?? 3;
    let runs = 0;
    const start = performance.now();
    while (runs < 3 || performance.now() - start < minSeconds * 1000) {
      input = (await embedder.embedBuffer(input, options.batchSize)).input;
      runs++;
    }
    const seconds = (performance.now() - start) / 1000;
    return { tilesPerSecond: (runs * options.batchSize) / seconds, provider: embedder.provider, batch: options.batchSize };
  } finally {
    await embedder.close();
  }
}
