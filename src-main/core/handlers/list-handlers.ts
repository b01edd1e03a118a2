import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { taskLabelColumns } from '../labels/label-columns';
import { SlideStatusRepo } from '../project/repos/slide-status-repo';

/** What lists that scale ask for: every slide's status, every label of a task (issue 14). */
export function listHandlers(core: CoreContext): Pick<Handlers, 'slide.status' | 'label.list'> {
  return {
    'slide.status': () => {
      const repo = new SlideStatusRepo(core.requireProject().db);
      return { backbones: repo.backbones(), slides: repo.all() };
    },
    'label.list': ({ task }) => taskLabelColumns(core.requireProject(), task),
  };
}
