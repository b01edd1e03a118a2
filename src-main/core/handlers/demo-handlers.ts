import path from 'node:path';
import type { Handlers } from '../dispatch';
import type { HistoCore } from '../histo-core';
import { histoHome } from '../default-paths';
import { openDemoStudy } from '../demo/build-demo';

export function demoHandlers(core: HistoCore): Pick<Handlers, 'demo.open'> {
  return {
    'demo.open': ({ dir }) => ({ jobId: core.jobs.start('demo', (ctx) => openDemoStudy(core, dir ?? path.join(histoHome(core.env), 'demo'), ctx)).jobId }),
  };
}
