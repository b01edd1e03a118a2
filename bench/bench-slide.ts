import path from 'node:path';
import { writePyramid } from '../test/fixtures/slide-fixtures';

/** The extraction benches' slide: a square 2-level JPEG pyramid at 0.5 µm/px, 256 px tiles. */
export function writeBenchPyramid(dir: string, side: number): Promise<string> {
  return writePyramid(path.join(dir, 'slide.tif'), {
    width: side,
    height: side,
    tile: 256,
    compression: 'jpeg',
    downsamples: [1, 4],
    resolution: { x: 20000, y: 20000, unit: 3 },
  });
}
