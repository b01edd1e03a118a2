import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { openSlide } from '../slides/open-slide';
import { planSlideTiles } from '../tiling/plan-slide-tiles';
import { writeSlideRegion, writeSlideThumbnail } from '../slides-library/slide-image-files';

type SlideMethods = 'slide.info' | 'slide.tiles' | 'slide.region' | 'slide.thumbnail' | 'slide.import' | 'slide.list' | 'slide.setMpp' | 'slide.overlay';

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
    'slide.region': ({ path, out, ...region }) => writeSlideRegion(path, region, out),
    'slide.thumbnail': ({ path, max, out }) => writeSlideThumbnail(path, max, out),
    'slide.import': ({ paths }) => core.slides.import(paths),
    'slide.list': () => core.slides.list(),
    'slide.setMpp': ({ slideId, mpp }) => core.slides.setMpp(slideId, mpp),
    'slide.overlay': ({ slideId, ...options }) => core.slides.overlay(slideId, options),
  };
}
