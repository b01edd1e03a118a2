import os from 'node:os';
import type { Handlers } from '../dispatch';
import type { HistoCore } from '../histo-core';
import { labelSelection } from '../search/label-selection';
import { searchProject } from '../search/search-project';

type SearchMethods = 'search.run' | 'search.label';

export function searchHandlers(core: HistoCore): Pick<Handlers, SearchMethods> {
  return {
    'search.run': (request) => searchProject(core.requireProject(), request),
    'search.label': ({ author, ...request }) => labelSelection(core.requireProject(), { ...request, author: author ?? os.userInfo().username }),
  };
}
