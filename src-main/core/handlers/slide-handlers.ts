import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { openSlide } from '../slides/open-slide';
import { planSlideTiles } from '../tiling/plan-slide-tiles';

type SlideMethods = 'slide.info' | 'slide.tiles' | 'slides.import' | 'slides.list' | 'slides.setMpp' | 'slides.overlay';

export function slideHandlers(core: CoreContext): Pick<Handlers, SlideMethods> {
  return {
    'slide.info': async ({ path, mppOverride }) => {
      const source = await openSlide(path, { mppOverride });
      try {
        return source.info;
      } finally {
        await source.close();
      }
    },
    'slide.tiles': ({ path, ...options }) => planSlideTiles(path, options),
    'slides.import': ({ paths }) => core.slides.import(paths),
    'slides.list': () => core.slides.list(),
    'slides.setMpp': ({ slideId, mpp }) => core.slides.setMpp(slideId, mpp),
    'slides.overlay': ({ slideId, ...options }) => core.slides.overlay(slideId, options),
  };
}
