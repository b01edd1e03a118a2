import { createDispatcher, type Dispatch } from './dispatch';
import { HistoError } from './errors';
import { JobRegistry } from './jobs/job-registry';
import type { ProjectStore } from './project/project-store';
import { SlideLibrary } from './slides-library/slide-library';
import { SlideImageRenderer } from './slides-library/slide-images';
import { buildHandlers } from './handlers/index';
import type { CoreContext } from './core-context';

/**
 * The core behind every front end (Electron shell, HTTP server, CLI, tests): it owns the open
 * project and the jobs, and answers the contract through `dispatch`.
 */
export class HistoCore implements CoreContext {
  readonly jobs = new JobRegistry();
  readonly dispatch: Dispatch;
  private project: ProjectStore | null = null;
  /** The open project's slides, and the images the viewer shows of them (tiles, thumbnails, masks). */
  readonly slides = new SlideLibrary(() => this.requireProject());
  readonly slideImages = new SlideImageRenderer(this.slides);

  constructor(readonly env: NodeJS.ProcessEnv = process.env) {
    // Handlers see only the CoreContext part of the core, never the class itself.
    this.dispatch = createDispatcher(buildHandlers(this));
  }

  get currentProject(): ProjectStore | null {
    return this.project;
  }

  /** The open project, or a NO_PROJECT error the UI can act on. */
  requireProject(): ProjectStore {
    if (!this.project) throw new HistoError('NO_PROJECT', 'no project is open: create or open one first');
    return this.project;
  }

  /** Makes `store` the open project, closing the previous one. */
  useProject(store: ProjectStore): ProjectStore {
    if (this.project && this.project !== store) this.project.close();
    this.project = store;
    return store;
  }

  closeProject(): void {
    this.project?.close();
    this.project = null;
  }

  close(): void {
    for (const job of this.jobs.list()) this.jobs.cancel(job.jobId);
    this.slides.close();
    this.closeProject();
  }
}
