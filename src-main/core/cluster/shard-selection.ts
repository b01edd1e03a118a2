import type { ExtractionInput } from '../extraction/collect-inputs';
import type { TilingChoice } from '../extraction/extraction-plan';
import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { tilingKey } from '../project/repos/tilings-repo';
import { inputsOfShard } from './shard-inputs';
import { backboneIdentity, recordShard } from './shard-record';
import type { ShardSpec } from './shard-spec';

/** How a slide is cut under a choice, as the tilings table keys it. */
export function slideTilingKey(choice: TilingChoice): string {
  return tilingKey({ tileSize: choice.tileSize, mpp: choice.mpp ?? null, level: choice.level ?? null, overlap: 0, minTissue: choice.minTissue });
}

/**
 * Narrows embed/predict inputs to one shard and records the shard in the project, before any
 * slide is written: a shard file always says what it was made from. Without a shard, all inputs.
 */
export async function selectShardInputs(
  store: ProjectStore,
  inputs: ExtractionInput[],
  shard: ShardSpec | undefined,
  made: { command: 'embed' | 'predict'; backbone: StoredBackbone; tiling: TilingChoice },
  ctx?: JobContext,
): Promise<ExtractionInput[]> {
  if (!shard) return inputs;
  ctx?.progress(0, null, `choosing the slides of shard ${shard.index}/${shard.count} among ${inputs.length}`);
  const { selected, unreadable } = await inputsOfShard(inputs, shard);
  recordShard(store.db, store.path, shard, {
    command: made.command,
    backbone: backboneIdentity(made.backbone),
    tilingKey: slideTilingKey(made.tiling),
    inputs: selected.map((s) => ({ path: s.input.path, fingerprint: s.fingerprint })),
  });
  return [...selected.map((s) => s.input), ...unreadable];
}
