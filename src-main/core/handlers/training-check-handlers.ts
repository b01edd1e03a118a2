import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { LabelResolutionsRepo } from '../project/repos/label-resolutions-repo';
import { resolveTask } from '../search/resolve-task';
import { trainingWarnings } from '../training/training-warnings';

/** Checks a training run before it starts, so the form can warn while the user can still change it. */
export function trainingCheckHandlers(core: CoreContext): Pick<Handlers, 'train.preflight'> {
  return {
    'train.preflight': ({ task: name }) => {
      const store = core.requireProject();
      const resolutions = new LabelResolutionsRepo(store.db).forTask(resolveTask(store, name).id);
      return { warnings: trainingWarnings(resolutions), resolutions };
    },
  };
}
