import type { Dispatch } from './dispatch';
import type { JobRegistry } from './jobs/job-registry';
import type { ProjectStore } from './project/project-store';
import type { SlideLibrary } from './slides-library/slide-library';

/**
 * What a handler may use of the core: the jobs, the open project, the slide cache and the
 * environment. Handlers get this narrow view rather than `HistoCore`, so they never import the core
 * entry (no import circle) and a test can hand them a context of its own.
 */
export interface CoreContext {
  readonly jobs: JobRegistry;
  /** The open project's slides and their cached readers. */
  readonly slides: SlideLibrary;
  readonly env: NodeJS.ProcessEnv;
  /** The open project, or null. */
  readonly currentProject: ProjectStore | null;
  /** The open project, or a NO_PROJECT error the UI can act on. */
  requireProject(): ProjectStore;
  /** Makes `store` the open project, closing the previous one. */
  useProject(store: ProjectStore): ProjectStore;
  closeProject(): void;
  /** The core's own gate, for handlers that orchestrate other calls (the demo study). */
  readonly dispatch: Dispatch;
}
