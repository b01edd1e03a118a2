import type { Handlers } from '../dispatch';
import type { HistoCore } from '../histo-core';
import { ProjectStore } from '../project/project-store';

type ProjectMethods = 'project.create' | 'project.open' | 'project.current' | 'project.close';

export function projectHandlers(core: HistoCore): Pick<Handlers, ProjectMethods> {
  return {
    'project.create': ({ path }) => core.useProject(ProjectStore.create(path)).summary(),
    'project.open': ({ path }) => core.useProject(ProjectStore.open(path)).summary(),
    'project.current': () => core.currentProject?.summary() ?? null,
    'project.close': () => {
      core.closeProject();
      return null;
    },
  };
}
