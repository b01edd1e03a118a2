import os from 'node:os';
import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { labelSelection } from '../search/label-selection';
import { describeTiles } from '../search/search-project';
import { searchWithLoadJob } from '../search/search-with-load-job';
import { resolveTask } from '../search/resolve-task';

type SearchMethods = 'search.run' | 'search.label' | 'search.describe';

export function searchHandlers(core: CoreContext): Pick<Handlers, SearchMethods> {
  return {
    'search.run': (request) => searchWithLoadJob(core, request),
    'search.describe': ({ tileIds, task }) => {
      const store = core.requireProject();
      const described = describeTiles(store, tileIds, task === undefined ? null : resolveTask(store, task).id);
      return tileIds.flatMap((id) => {
        const row = described.get(id);
        if (!row) return [];
        const { label, ...rest } = row;
        return [{ ...rest, ...(label !== null ? { label } : {}) }];
      });
    },
    'search.label': ({ author, ...request }) => labelSelection(core.requireProject(), { ...request, author: author ?? os.userInfo().username }),
  };
}
