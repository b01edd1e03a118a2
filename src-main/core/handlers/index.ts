import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { appHandlers } from './app-handlers';
import { jobHandlers } from './job-handlers';
import { projectHandlers } from './project-handlers';
import { slideHandlers } from './slide-handlers';
import { backboneHandlers } from './backbone-handlers';
import { trainingHandlers } from './training-handlers';
import { compareHandlers } from './compare-handlers';
import { predictionHandlers } from './prediction-handlers';
import { searchHandlers } from './search-handlers';
import { mapHandlers } from './map-handlers';
import { clusterHandlers } from './cluster-handlers';
import { trainingCheckHandlers } from './training-check-handlers';
import { predictionCheckHandlers } from './prediction-check-handlers';
import { patchSetHandlers } from './patch-set-handlers';
import { reviewUndoHandlers } from './review-undo-handlers';
import { annotationHandlers } from './annotation-handlers';
import { filesHandlers } from './files-handlers';
import { demoHandlers } from './demo-handlers';
import { listHandlers } from './list-handlers';

/**
 * The one place that builds the handler map. To add handlers: write `handlers/<area>-handlers.ts`
 * exporting `export const fooHandlers = (core: CoreContext): Pick<Handlers, 'foo.bar'> => ({ 'foo.bar': (input) => ... })`
 * and spread it here; the `Handlers` type fails to compile until every contract method has one.
 * Only `histo-core.ts` imports this folder (an ESLint rule holds it).
 */
export function buildHandlers(ctx: CoreContext): Handlers {
  return {
    ...appHandlers(ctx),
    ...projectHandlers(ctx),
    ...jobHandlers(ctx),
    ...slideHandlers(ctx),
    ...backboneHandlers(ctx),
    ...trainingHandlers(ctx),
    ...compareHandlers(ctx),
    ...predictionHandlers(ctx),
    ...searchHandlers(ctx),
    ...mapHandlers(ctx),
    ...clusterHandlers(ctx),
    ...trainingCheckHandlers(ctx),
    ...predictionCheckHandlers(ctx),
    ...patchSetHandlers(ctx),
    ...reviewUndoHandlers(ctx),
    ...annotationHandlers(ctx),
    ...filesHandlers(ctx),
    ...demoHandlers(ctx),
    ...listHandlers(ctx),
  };
}
