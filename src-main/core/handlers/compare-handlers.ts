import type { ComparisonResult } from '../../../src-shared/contract';
import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { HistoError } from '../errors';
import { TasksRepo } from '../project/repos/tasks-repo';
import { recordAudit } from '../project/repos/audit-repo';
import { compareInWorker } from '../training/run-training';
import { resolveBackbone } from '../registry/backbone-registry';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { ComparisonsRepo } from '../project/repos/comparisons-repo';
import { ProjectMetaRepo } from '../project/repos/project-meta-repo';
import { comparisonUnitPlan } from '../compare/comparison-units';

type CompareMethods = 'compare.start' | 'compare.units' | 'compare.list' | 'compare.get' | 'project.setDefaultBackbone';

export function compareHandlers(core: CoreContext): Pick<Handlers, CompareMethods> {
  return {
    'compare.start': async (request) => {
      const store = core.requireProject();
      const task = new TasksRepo(store.db).require(request.task);
      const backbones: StoredBackbone[] = [];
      for (const ref of request.backbones) backbones.push(await resolveBackbone(store, ref));
      const { jobId } = core.jobs.start('compare', (ctx) => compareInWorker(store, { ...request, task, backbones }, ctx));
      return { jobId };
    },
    'compare.units': ({ task, excludePatchSets }) => {
      const store = core.requireProject();
      return comparisonUnitPlan(store, new TasksRepo(store.db).require(task), excludePatchSets).summary;
    },
    'compare.list': () => {
      const rows = new ComparisonsRepo(core.requireProject().db).list();
      return rows.map((r) => {
        const result = JSON.parse(r.result) as ComparisonResult;
        return { id: r.id, task: r.task, createdAt: r.createdAt, backbones: (JSON.parse(r.request) as { backbones: string[] }).backbones, winner: result.ranking[0]?.backbone ?? null, notSeparable: result.notSeparable.length };
      });
    },
    'compare.get': ({ id }) => {
      const resultJson = new ComparisonsRepo(core.requireProject().db).resultJson(id);
      if (resultJson === undefined) throw new HistoError('NOT_FOUND', `no comparison ${id} in this project`);
      return { ...(JSON.parse(resultJson) as ComparisonResult), id };
    },
    'project.setDefaultBackbone': async ({ backbone }) => {
      const store = core.requireProject();
      const chosen = await resolveBackbone(store, backbone);
      store.db.transaction(() => {
        new ProjectMetaRepo(store.db).set('default_backbone', chosen.name);
        recordAudit(store.db, 'project.default-backbone', { backbone: chosen.name }, chosen.sha256);
      })();
      return null;
    },
  };
}
