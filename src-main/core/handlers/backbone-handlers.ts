import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { extractEmbeddings } from '../extraction/extract-embeddings';
import { exportEmbeddings } from '../embeddings/export-embeddings';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { benchBackbone } from '../registry/backbone-bench';
import { backboneSummary, ensureBuiltinBackbones, importBackbone, resolveBackbone } from '../registry/backbone-registry';
import { sharedDecodePool } from '../slides/decode-pool';

type BackboneMethods = 'backbone.list' | 'backbone.import' | 'backbone.bench' | 'embed.start' | 'embedding.export';

export function backboneHandlers(core: CoreContext): Pick<Handlers, BackboneMethods> {
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
      // Slides are about to be read: the decode threads start while the backbone is resolved.
      sharedDecodePool().warm();
      const stored = await resolveBackbone(store, backbone);
      const { jobId } = core.jobs.start('embed', (ctx) => extractEmbeddings(store, { ...options, paths, backbone: stored }, ctx));
      return { jobId };
    },
    'embedding.export': async ({ backbone, out, view }) => {
      const store = core.requireProject();
      return exportEmbeddings(store, await resolveBackbone(store, backbone), out, view);
    },
  };
}
