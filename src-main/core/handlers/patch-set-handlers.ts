import type { Handlers } from '../dispatch';
import { HistoError } from '../errors';
import type { CoreContext } from '../core-context';
import { recordAudit } from '../project/repos/audit-repo';
import { PatchSetsRepo } from '../project/repos/patch-sets-repo';

type PatchSetMethods = 'patchSet.list' | 'patchSet.setMpp';

/** Imported patch folders, listed and given a resolution as one entry each. */
export function patchSetHandlers(core: CoreContext): Pick<Handlers, PatchSetMethods> {
  const repo = () => new PatchSetsRepo(core.requireProject().db);
  return {
    'patchSet.list': () => repo().list(),
    'patchSet.setMpp': ({ patchSetId, mpp }) => {
      const store = core.requireProject();
      const patchSets = new PatchSetsRepo(store.db);
      const before = patchSets.get(patchSetId);
      if (!before) throw new HistoError('NOT_FOUND', `patch set ${patchSetId} is not in this project`);
      store.db.transaction(() => {
        patchSets.setMpp(patchSetId, mpp);
        recordAudit(store.db, 'patchSet.setMpp', { patchSet: before.name, folder: before.rootPath, images: before.images, mpp, previous: before.mpp });
      })();
      return patchSets.get(patchSetId)!;
    },
  };
}
