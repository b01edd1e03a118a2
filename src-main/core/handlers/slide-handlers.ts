import type { Handlers } from '../dispatch';
import { openSlide } from '../slides/open-slide';
import { planSlideTiles } from '../tiling/plan-slide-tiles';

export function slideHandlers(): Pick<Handlers, 'slide.info' | 'slide.tiles'> {
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
  };
}
