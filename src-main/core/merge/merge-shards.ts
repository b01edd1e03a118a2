import type { MergeSummary as ContractMergeSummary } from '../../../src-shared/contract';
import type { JobContext } from '../jobs/job-registry';
import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/repos/audit-repo';
import { rethrowIfDiskFull } from '../project/disk-full';
import { HistoError } from '../errors';
import { checkAgainstReference, matchBackbone, readMergeReference, referenceOf, writeMergeReference, type MergeReference } from './merge-checks';
import { slideMerger, zeroCounts, type IdMaps, type MergeCounts } from './merge-slide';
import { headIdentity, openShard, type OpenShard, type Row } from './shard-reader';
import { HeadsRepo } from '../project/repos/heads-repo';
import { PredictionsRepo } from '../project/repos/predictions-repo';
import { columnsOf, insertRow } from '../project/repos/table-info';

/** One shard's part of a merge (the contract documents the fields). */
export type ShardMergeResult = ContractMergeSummary['shards'][number];

/** What a merge returns: the contract's schema of it (job-results.ts). */
export type MergeSummary = ContractMergeSummary;

function addCounts(into: MergeCounts, more: MergeCounts): void {
  for (const key of Object.keys(into) as Array<keyof MergeCounts>) into[key] += more[key];
}

/**
 * Maps the shard's backbones and heads onto the study's, inserting backbones the study lacks, in
 * one transaction with the merge reference: after it the shard's slides can merge one by one.
 */
function prepareIds(store: ProjectStore, shard: OpenShard): { ids: IdMaps; predictionsWithoutHead: number } {
  const db = store.db;
  const ids: IdMaps = { backbones: new Map(), heads: new Map() };
  const studyColumns = new Set(columnsOf(db, 'backbones'));
  const backboneColumns = columnsOf(shard.db, 'backbones').filter((c) => c !== 'id' && studyColumns.has(c));
  const insertBackbone = insertRow(db, 'backbones', backboneColumns);
  db.transaction(() => {
    for (const backbone of shard.backbones) {
      const matched = matchBackbone(db, shard, backbone);
      ids.backbones.set(backbone.id, matched ?? insertBackbone(backboneColumns.map((c) => (backbone as Row)[c])));
    }
    const reference = referenceOf(shard);
    if (reference) writeMergeReference(db, reference);
  })();
  const studyHeads = new Map(
    new HeadsRepo(db).modelRows().map((h) => [headIdentity(h), h.id]),
  );
  let predictionsWithoutHead = 0;
  const shardPredictions = new PredictionsRepo(shard.db);
  for (const head of shard.heads) {
    const studyHead = studyHeads.get(head.identity);
    if (studyHead !== undefined) ids.heads.set(head.id, studyHead);
    else predictionsWithoutHead += shardPredictions.countOfHead(head.id);
  }
  return { ids, predictionsWithoutHead };
}

/**
 * Opens every shard read-only and checks it against the study and the shards before it, before
 * anything is written: a refused shard is named in one line and the study stays untouched.
 */
export function openCheckedShards(store: ProjectStore, files: readonly string[]): OpenShard[] {
  const shards: OpenShard[] = [];
  try {
    for (const file of files) {
      const shard = openShard(file);
      shards.push(shard);
      if (shard.file === store.path) throw new HistoError('BAD_INPUT', `${shard.file}: is the study project itself; merge shards into another file`);
    }
    let reference: MergeReference | null = readMergeReference(store.db);
    for (const shard of shards) {
      checkAgainstReference(shard, reference);
      reference ??= referenceOf(shard);
      for (const backbone of shard.backbones) matchBackbone(store.db, shard, backbone);
    }
    return shards;
  } catch (err) {
    for (const shard of shards) shard.db.close();
    throw err;
  }
}

/**
 * Merges checked shards (see openCheckedShards) into the study and closes them. Each slide merges
 * in its own transaction, so the merge is resumable and kill-safe: rerun after a kill (or on
 * shards already merged), it adds exactly what is missing.
 */
export async function mergeOpenShards(store: ProjectStore, shards: readonly OpenShard[], ctx?: JobContext): Promise<MergeSummary> {
  const started = performance.now();
  try {
    const total = shards.reduce((n, s) => n + s.slideIds.length, 0);
    let done = 0;
    const results: ShardMergeResult[] = [];
    const added = zeroCounts();
    for (const shard of shards) {
      const { ids, predictionsWithoutHead } = prepareIds(store, shard);
      const mergeSlide = slideMerger(store.db, shard, ids);
      const shardAdded = zeroCounts();
      for (const slideId of shard.slideIds) {
        ctx?.throwIfCancelled();
        try {
          addCounts(shardAdded, mergeSlide(slideId));
        } catch (err) {
          // The slide's transaction rolled back: every slide before it is merged whole.
          rethrowIfDiskFull(err, () => `${done} of ${total} slides merged`);
          throw err;
        }
        ctx?.progress(++done, total, `merging ${shard.file}`);
        // Lets progress events and a cancel reach us between slides.
        await new Promise((resolve) => setImmediate(resolve));
      }
      addCounts(added, shardAdded);
      results.push({ file: shard.file, spec: shard.record?.spec ?? null, slides: shard.slideIds.length, added: shardAdded, predictionsWithoutHead });
    }
    const summary: MergeSummary = { into: store.path, shards: results, added, seconds: (performance.now() - started) / 1000 };
    // A merge that added nothing (a rerun) leaves the study byte-for-byte as it was.
    if (Object.values(added).some((n) => n > 0)) {
      const reference = readMergeReference(store.db);
      recordAudit(store.db, 'project.merge', { shards: results.map((r) => ({ file: r.file, spec: r.spec, added: r.added })) }, reference?.backbone.sha256);
    }
    return summary;
  } finally {
    for (const shard of shards) shard.db.close();
  }
}
