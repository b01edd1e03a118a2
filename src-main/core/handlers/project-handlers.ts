import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { ProjectStore } from '../project/project-store';
import { listAudit } from '../project/repos/audit-repo';

type ProjectMethods = 'project.create' | 'project.open' | 'project.current' | 'project.close' | 'audit.list';

export function projectHandlers(core: CoreContext): Pick<Handlers, ProjectMethods> {
  return {
    'project.create': ({ path }) => core.useProject(ProjectStore.create(path)).summary(),
    'project.open': ({ path }) => core.useProject(ProjectStore.open(path)).summary(),
    'project.current': () => core.currentProject?.summary() ?? null,
    'audit.list': ({ action, limit }) => listAudit(core.requireProject().db, { action, limit }),
    'project.close': () => {
      core.closeProject();
      return null;
    },
  };
}
