import path from 'node:path';
import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { histoHome } from '../default-paths';
import { openDemoStudy } from '../demo/build-demo';

export function demoHandlers(core: CoreContext): Pick<Handlers, 'demo.open'> {
  // One build at a time: a second click (or window) follows the build already running.
  let building: string | null = null;
  return {
    'demo.open': ({ dir }) => {
      if (building && core.jobs.outcome(building)?.state === 'running') return { jobId: building };
      building = core.jobs.start('demo', (ctx) => openDemoStudy(core, dir ?? path.join(histoHome(core.env), 'demo'), ctx)).jobId;
      return { jobId: building };
    },
  };
}
