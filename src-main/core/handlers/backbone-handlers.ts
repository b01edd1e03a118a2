import type { BackboneSummary } from '../../../src-shared/contract';
import type { Handlers } from '../dispatch';
import type { HistoCore } from '../histo-core';
import { extractEmbeddings } from '../extraction/extract-embeddings';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { BackbonesRepo, type StoredBackbone } from '../project/repos/backbones-repo';
import type { ProjectStore } from '../project/project-store';
import { benchBackbone } from '../registry/backbone-bench';
import { ensureBuiltinBackbones, importBackbone } from '../registry/backbone-registry';

type BackboneMethods = 'backbone.list' | 'backbone.import' | 'backbone.bench' | 'embed.start';

export function backboneSummary(store: ProjectStore, b: StoredBackbone): BackboneSummary {
  const { id, name, dim, inputSize, mean, std, sha256, builtin, source, license, filePath } = b;
  return { id, name, dim, inputSize, mean, std, sha256, builtin, source, license, filePath, embeddings: new EmbeddingsRepo(store.db).count(id) };
}

/** The project's backbones, the bundled ones registered first. */
export async function resolveBackbone(store: ProjectStore, ref: string | number): Promise<StoredBackbone> {
  await ensureBuiltinBackbones(store);
  return new BackbonesRepo(store.db).resolve(ref);
}

export function backboneHandlers(core: HistoCore): Pick<Handlers, BackboneMethods> {
  return {
    'backbone.list': async () => {
      const store = core.requireProject();
      await ensureBuiltinBackbones(store);
      return new BackbonesRepo(store.db).list().map((b) => backboneSummary(store, b));
    },
    'backbone.import': async ({ path, ...overrides }) => {
      const store = core.requireProject();
      return backboneSummary(store, await importBackbone(store, path, overrides));
    },
    'backbone.bench': async ({ backbone, batchSize, provider }) =>
      benchBackbone(await resolveBackbone(core.requireProject(), backbone), { batchSize, provider }),
    'embed.start': async ({ backbone, paths, ...options }) => {
      const store = core.requireProject();
      const stored = await resolveBackbone(store, backbone);
      const { jobId } = core.jobs.start('embed', (ctx) => extractEmbeddings(store, { ...options, paths, backbone: stored }, ctx));
      return { jobId };
    },
  };
}
