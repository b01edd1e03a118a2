import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classicBackboneBytes } from '../../../src-main/core/backbones/classic-backbone-graph';
import { CLASSIC_FIRST_RELEASE, bundledBackbonePath } from '../../../src-main/core/backbones/default-backbone';
import { inspectBackbone } from '../../../src-main/core/backbones/inspect-backbone';
import { extractEmbeddings } from '../../../src-main/core/extraction/extract-embeddings';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { BackbonesRepo } from '../../../src-main/core/project/repos/backbones-repo';
import { EmbeddingsRepo } from '../../../src-main/core/project/repos/embeddings-repo';
import { ensureBuiltinBackbones, resolveBackbone } from '../../../src-main/core/registry/backbone-registry';
import { writeTestSlide } from '../../helpers/embedding-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

/** Registers a classical model file the way earlier versions did on first use: a project made by them. */
async function registerAsEarlierVersion(store: ProjectStore, file: string, filePath: string) {
  // The classical graphs take pixels in [0, 1] (a bare file has no sidecar to say so).
  const inspected = await inspectBackbone(file, { mean: [0, 0, 0], std: [1, 1, 1] });
  return new BackbonesRepo(store.db).insert({ ...inspected, name: 'histo-classic-v1', filePath, sha256: inspected.sha256, builtin: true });
}

function builtinNames(store: ProjectStore): string[] {
  return new BackbonesRepo(store.db)
    .list()
    .filter((b) => b.builtin)
    .map((b) => b.name)
    .sort();
}

describe('histo-classic-v1 after histo-classic-v2 replaced it as the bundled baseline', () => {
  it('a new project lists v2, not v1; asked for v1 by name, it registers it (a cluster node, a script)', async () => {
    const store = ProjectStore.create(path.join(tempDir(), 'new.histo'));
    try {
      await ensureBuiltinBackbones(store);
      expect(builtinNames(store)).toEqual(['histo-classic-v2', 'imagenet-mobilenet-v2']);
      const v1 = await resolveBackbone(store, 'histo-classic-v1');
      expect(v1).toMatchObject({ name: 'histo-classic-v1', dim: 294, builtin: true, filePath: 'builtin:histo-classic-v1.onnx' });
      await expect(resolveBackbone(store, 'histo-classic-v0')).rejects.toThrow(/no backbone 'histo-classic-v0' in this project/);
    } finally {
      store.close();
    }
  }, 60_000);

  it('a project that holds v1 vectors keeps v1, gains v2, and still extracts with v1', async () => {
    const dir = tempDir();
    const slide = await writeTestSlide(dir);
    const store = ProjectStore.create(path.join(dir, 'old.histo'));
    try {
      const v1 = await registerAsEarlierVersion(store, bundledBackbonePath('histo-classic-v1'), 'builtin:histo-classic-v1.onnx');
      const options = { paths: [slide], level: 0, minTissue: 0, views: 'none' as const, batchSize: 4, dtype: 'float32' as const };
      const first = await extractEmbeddings(store, { ...options, backbone: v1 });
      expect(first).toMatchObject({ embedded: 2, failed: [] });

      await ensureBuiltinBackbones(store);
      expect(builtinNames(store)).toEqual(['histo-classic-v1', 'histo-classic-v2', 'imagenet-mobilenet-v2']);
      expect(await resolveBackbone(store, 'histo-classic-v1')).toMatchObject({ id: v1.id, sha256: v1.sha256, dim: 294 });

      // A second slide still goes through v1, and both through v2 beside it.
      const second = await writeTestSlide(dir, 'second.tif', { width: 448, height: 640 });
      expect(await extractEmbeddings(store, { ...options, paths: [second], backbone: v1 })).toMatchObject({ embedded: 4, failed: [] });
      const v2 = await resolveBackbone(store, 'histo-classic-v2');
      expect(await extractEmbeddings(store, { ...options, paths: [slide, second], backbone: v2 })).toMatchObject({ embedded: 6, failed: [] });
      const repo = new EmbeddingsRepo(store.db);
      const v1Vectors = repo.loadMatrix(v1.id, v1.dim);
      const v2Vectors = repo.loadMatrix(v2.id, v2.dim);
      expect([v1Vectors.count, v1Vectors.dim, v2Vectors.count, v2Vectors.dim]).toEqual([6, 294, 6, 222]);
      expect(v1Vectors.vectors.every(Number.isFinite) && v2Vectors.vectors.every(Number.isFinite)).toBe(true);
    } finally {
      store.close();
    }
  }, 60_000);

  it('a project of the first release (v1 at full resolution) gains the bundled v1 under its hash, beside v2', async () => {
    const dir = tempDir();
    const firstRelease = path.join(dir, 'histo-classic-v1.onnx');
    fs.writeFileSync(firstRelease, classicBackboneBytes(CLASSIC_FIRST_RELEASE));
    const store = ProjectStore.create(path.join(dir, 'first.histo'));
    try {
      await registerAsEarlierVersion(store, firstRelease, firstRelease);
      await ensureBuiltinBackbones(store);
      const names = builtinNames(store);
      expect(names).toHaveLength(4);
      expect(names).toEqual(expect.arrayContaining(['histo-classic-v1', 'histo-classic-v2', 'imagenet-mobilenet-v2']));
      expect(names.find((n) => /^histo-classic-v1-[0-9a-f]{8}$/.test(n))).toBe('histo-classic-v1-287b2997');
    } finally {
      store.close();
    }
  }, 60_000);
});
