import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { HistoError } from '../errors';
import { embedFlags } from '../cluster/embed-flags';
import { shardStates, writeShardFolder } from '../cluster/shard-dir';
import { arrayStatus, submitScript } from '../cluster/slurm-commands';
import { mergeOpenShards, openCheckedShards } from '../merge/merge-shards';
import { resolveBackbone } from '../registry/backbone-registry';

type ClusterMethods = 'cluster.script' | 'cluster.status' | 'cluster.import' | 'project.merge';

export function clusterHandlers(core: CoreContext): Pick<Handlers, ClusterMethods> {
  return {
    'cluster.script': async ({ backbone, embed, submit, histo, ...options }) => {
      const stored = await resolveBackbone(core.requireProject(), backbone);
      // Nodes find bundled backbones in their own install; an imported one by its model file.
      const backboneRef = stored.builtin ? stored.name : stored.filePath;
      const written = writeShardFolder({ ...options, histo: (histo ?? 'histo').trim().split(/\s+/), backbone: backboneRef, embedFlags: embedFlags(embed) });
      return { ...written, jobId: submit ? submitScript(written.script) : null };
    },
    'cluster.status': ({ outDir, jobId }) => {
      const shards = shardStates(outDir).map(({ shard, state, detail }) => ({ shard, state, detail }));
      if (!jobId) return { shards, tasks: null, slurmError: null };
      try {
        return { shards, tasks: arrayStatus(jobId), slurmError: null };
      } catch (err) {
        // The folder's states stay useful when Slurm cannot be asked (no client tools here, job forgotten).
        if (err instanceof HistoError) return { shards, tasks: null, slurmError: err.message };
        throw err;
      }
    },
    'cluster.import': ({ outDir }) => {
      const store = core.requireProject();
      const states = shardStates(outDir);
      const done = states.filter((s) => s.state === 'done');
      if (done.length === 0) throw new HistoError('NOT_FOUND', `${outDir}: no shard has finished yet`);
      const shards = openCheckedShards(store, done.map((s) => s.file));
      const { jobId } = core.jobs.start('merge', (job) => mergeOpenShards(store, shards, job));
      return { jobId, shards: states.map(({ shard, state, detail }) => ({ shard, state, detail })) };
    },
    'project.merge': ({ shards }) => {
      const store = core.requireProject();
      // Every shard is opened and checked before the job starts: a wrong file is refused at once.
      const opened = openCheckedShards(store, shards);
      return { jobId: core.jobs.start('merge', (job) => mergeOpenShards(store, opened, job)).jobId };
    },
  };
}
