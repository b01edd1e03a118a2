import type { ComparisonResult } from '../../../src-shared/contract';
import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { HistoError } from '../errors';
import { TasksRepo } from '../labels/tasks-repo';
import { recordAudit } from '../project/audit-log';
import { compareInWorker } from '../training/run-training';
import { resolveBackbone } from '../registry/backbone-registry';
import type { StoredBackbone } from '../project/repos/backbones-repo';

type CompareMethods = 'compare.start' | 'compare.list' | 'compare.get' | 'project.setDefaultBackbone';

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
    'compare.list': () => {
      const rows = core
        .requireProject()
        .db.prepare('SELECT c.id, t.name AS task, c.created_at AS createdAt, c.request_json AS request, c.result_json AS result FROM comparisons c JOIN tasks t ON t.id = c.task_id ORDER BY c.id DESC')
        .all() as Array<{ id: number; task: string; createdAt: string; request: string; result: string }>;
      return rows.map((r) => {
        const result = JSON.parse(r.result) as ComparisonResult;
        return { id: r.id, task: r.task, createdAt: r.createdAt, backbones: (JSON.parse(r.request) as { backbones: string[] }).backbones, winner: result.ranking[0]?.backbone ?? null, notSeparable: result.notSeparable.length };
      });
    },
    'compare.get': ({ id }) => {
      const row = core.requireProject().db.prepare('SELECT result_json FROM comparisons WHERE id = ?').get(id) as { result_json: string } | undefined;
      if (!row) throw new HistoError('NOT_FOUND', `no comparison ${id} in this project`);
      return { ...(JSON.parse(row.result_json) as ComparisonResult), id };
    },
    'project.setDefaultBackbone': async ({ backbone }) => {
      const store = core.requireProject();
      const chosen = await resolveBackbone(store, backbone);
      store.db.transaction(() => {
        store.db.prepare("INSERT INTO project_meta (key, value) VALUES ('default_backbone', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(chosen.name);
        recordAudit(store.db, 'project.default-backbone', { backbone: chosen.name }, chosen.sha256);
      })();
      return null;
    },
  };
}
