import type { MapSummary } from '../../../src-shared/contract';
import { runInWorker } from '../jobs/run-in-worker';
import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { noStoredVectorsError } from '../errors';
import { hasStoredVectors } from '../search/stored-vectors';
import type { MapWork } from './map.worker';

/** What a map job returns: the contract's schema of it. */
export type MapJobSummary = MapSummary;

/** Checks what can be checked at once (so a bad request fails before a job starts), then maps in the worker. */
export function checkMappable(store: ProjectStore, backbone: StoredBackbone): void {
  if (!hasStoredVectors(store, backbone.id)) throw noStoredVectorsError(backbone.name);
}

export function mapInWorker(store: ProjectStore, backbone: StoredBackbone, sample: number | undefined, ctx: JobContext): Promise<MapJobSummary> {
  const work: MapWork = { projectPath: store.path, backboneId: backbone.id, sample };
  return runInWorker<MapJobSummary>('map', work, ctx);
}
