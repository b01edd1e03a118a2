import type { HistoCore } from '../histo-core';
import { renderSlideImage } from '../slides-library/slide-images';
import type { CoreSurface } from './host-protocol';

/** A core in the shell's own thread behind the host surface: for tests that want no second thread. */
export function inProcessCore(core: HistoCore): CoreSurface {
  return {
    dispatch: core.dispatch,
    renderSlideImage: (pathname, query) => renderSlideImage(core.slideImages, pathname, query),
    onJobEvent: (listener) => {
      core.jobs.on('progress', listener);
      return () => core.jobs.off('progress', listener);
    },
    close: async () => core.close(),
  };
}
