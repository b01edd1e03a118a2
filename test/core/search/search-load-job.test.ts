import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallEnvelope, JobEvent, SearchResponse } from '../../../src-shared/contract';
import { HistoCore } from '../../../src-main/core/histo-core';
import { EmbeddingsRepo, type EmbeddingRow } from '../../../src-main/core/project/repos/embeddings-repo';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { searchIndexCache } from '../../../src-main/core/search/index-cache';
import { SEARCH_INDEX_JOB } from '../../../src-main/core/search/search-with-load-job';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const DIM = 8;
/** More than one page of the index load (16,384 rows), so the load yields and reports progress. */
const ROWS = 20_000;

/** A project with ROWS generated view-0 vectors of backbone 'gen' on one slide; the first tile's id. */
function generatedProject(file: string): number {
  const store = ProjectStore.create(file);
  try {
    const db = store.db;
    const now = new Date().toISOString();
    const backboneId = Number(
      db
        .prepare(`INSERT INTO backbones (name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at) VALUES ('gen', 'none', '0', 224, '[0,0,0]', '[1,1,1]', 'input', 'output', ?, ?)`)
        .run(DIM, now).lastInsertRowid,
    );
    const slideId = Number(db.prepare(`INSERT INTO slides (path, fingerprint, format, width, height, levels_json, added_at) VALUES ('/gen/s.tif', 'fp', 'tiff', 100000, 100000, '[]', ?)`).run(now).lastInsertRowid);
    const tilingId = Number(db.prepare(`INSERT INTO tilings (slide_id, tile_size, params_key, created_at) VALUES (?, 224, 'k', ?)`).run(slideId, now).lastInsertRowid);
    const addTile = db.prepare('INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (?, ?, ?, 224, 224, 1)');
    let first = 0;
    db.transaction(() => {
      const rows: EmbeddingRow[] = [];
      for (let i = 0; i < ROWS; i++) {
        const tileId = Number(addTile.run(tilingId, (i % 400) * 224, Math.floor(i / 400) * 224).lastInsertRowid);
        if (i === 0) first = tileId;
        rows.push({ tileId, view: 0, viewName: 'original', vector: Float32Array.from({ length: DIM }, (_, j) => Math.sin(i * 0.37 + j)) });
      }
      new EmbeddingsRepo(db).insertBatch(backboneId, 'float16', rows);
    })();
    return first;
  } finally {
    store.close();
  }
}

describe('the first search of a backbone loads its index as a job', () => {
  let core: HistoCore | null = null;
  afterEach(() => {
    core?.close();
    core = null;
    searchIndexCache.clear();
  });

  async function openCore(): Promise<{ core: HistoCore; tileId: number; events: JobEvent[] }> {
    const file = path.join(tempDir(), 'search.histo');
    const tileId = generatedProject(file);
    const opened = (core = new HistoCore());
    expect(await opened.dispatch('project.open', { path: file })).toMatchObject({ ok: true });
    const events: JobEvent[] = [];
    opened.jobs.on('progress', (event) => events.push(event));
    return { core: opened, tileId, events };
  }

  it('shows the load with progress, and a later search of the loaded index starts no job', async () => {
    const { core, tileId, events } = await openCore();
    const search = () => core.dispatch('search.run', { backbone: 'gen', query: { kind: 'tile', tileId }, k: 5 }) as Promise<CallEnvelope<SearchResponse>>;
    const first = await search();
    expect(first.ok && first.result.searched).toBe(ROWS);
    expect(first.ok && first.result.results[0]!.tileId).toBe(tileId);
    const loads = events.filter((e) => e.kind === SEARCH_INDEX_JOB);
    // It starts as soon as the first page is in; events in between are throttled to one per 200 ms.
    expect(loads[0]).toMatchObject({ state: 'running', done: 0 });
    expect(loads.at(-1)).toMatchObject({ state: 'done' });
    expect(loads.at(-1)!.done).toBeGreaterThanOrEqual(16_384);

    const before = events.length;
    expect(await search()).toMatchObject({ ok: true });
    expect(events.slice(before).filter((e) => e.kind === SEARCH_INDEX_JOB)).toEqual([]);
  });

  it('cancelling the load fails the search as CANCELLED, keeps nothing, and the next search loads again', async () => {
    const { core, tileId, events } = await openCore();
    // Cancel as soon as the load shows up, as a click on the jobs panel's cancel button would.
    core.jobs.on('progress', (event) => {
      if (event.kind === SEARCH_INDEX_JOB && event.state === 'running') core.jobs.cancel(event.jobId);
    });
    const request = { backbone: 'gen', query: { kind: 'tile', tileId }, k: 5 };
    expect(await core.dispatch('search.run', request)).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(events.filter((e) => e.kind === SEARCH_INDEX_JOB).at(-1)).toMatchObject({ state: 'cancelled' });

    core.jobs.removeAllListeners('progress');
    const retried = (await core.dispatch('search.run', request)) as CallEnvelope<SearchResponse>;
    expect(retried.ok && retried.result.searched).toBe(ROWS);
  });
});
