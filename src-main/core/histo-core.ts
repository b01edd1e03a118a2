import { createDispatcher, type Dispatch, type Handlers } from './dispatch';
import { HistoError } from './errors';
import { JobRegistry } from './jobs/job-registry';
import type { ProjectStore } from './project/project-store';
import { appHandlers } from './handlers/app-handlers';
import { jobHandlers } from './handlers/job-handlers';
import { projectHandlers } from './handlers/project-handlers';
import { slideHandlers } from './handlers/slide-handlers';
import { SlideLibrary } from './slides-library/slide-library';
import { SlideImageRenderer } from './slides-library/slide-images';
import { backboneHandlers } from './handlers/backbone-handlers';
import { trainingHandlers } from './handlers/training-handlers';
import { compareHandlers } from './handlers/compare-handlers';
import { predictionHandlers } from './handlers/prediction-handlers';
import { searchHandlers } from './handlers/search-handlers';
import { mapHandlers } from './handlers/map-handlers';
import { clusterHandlers } from './handlers/cluster-handlers';
import { patchSetHandlers } from './handlers/patch-set-handlers';
import { trainingCheckHandlers } from './handlers/training-check-handlers';

/**
 * The core behind every front end (Electron shell, HTTP server, CLI, tests): it owns the open
 * project and the jobs, and answers the contract through `dispatch`.
 */
export class HistoCore {
  readonly jobs = new JobRegistry();
  readonly dispatch: Dispatch;
  private project: ProjectStore | null = null;
  /** The open project's slides, and the images the viewer shows of them (tiles, thumbnails, masks). */
  readonly slides = new SlideLibrary(() => this.requireProject());
  readonly slideImages = new SlideImageRenderer(this.slides);

  constructor(readonly env: NodeJS.ProcessEnv = process.env) {
    const handlers: Handlers = {
      ...appHandlers(this),
      ...projectHandlers(this),
      ...jobHandlers(this),
      ...slideHandlers(this),
      ...backboneHandlers(this),
      ...trainingHandlers(this),
      ...compareHandlers(this),
      ...predictionHandlers(this),
      ...searchHandlers(this),
      ...mapHandlers(this),
      ...clusterHandlers(this),
      ...patchSetHandlers(this),
      ...trainingCheckHandlers(this),
    };
    this.dispatch = createDispatcher(handlers);
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
