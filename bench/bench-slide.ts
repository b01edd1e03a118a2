import path from 'node:path';
import { appRoot } from '../src-main/core/app-root';
import { openSlide } from '../src-main/core/slides/open-slide';
import type { RgbImage } from '../src-main/core/slides/slide-source';
import { writePyramid } from '../test/fixtures/slide-fixtures';

/** The real Aperio fixture whose tissue the bench slide repeats (see ../shared/fixtures/README). */
const TISSUE_FIXTURE = path.join(appRoot(), 'test', 'fixtures', 'CMU-1-Small-Region.svs');

/**
 * What the extraction benches embed: `tissue` (default) repeats the real H&E fixture, so JPEG
 * decoding costs what it costs on a scanner's slide (real tissue holds about 3x the JPEG bytes of
 * the smooth test pattern per tile, and takes half as long again to decode); `pattern` is the
 * tests' smooth pattern. BENCH_SLIDE_PIXELS picks.
 */
export type BenchPixels = 'tissue' | 'pattern';

export function benchPixels(): BenchPixels {
  const chosen = process.env.BENCH_SLIDE_PIXELS ?? 'tissue';
  if (chosen !== 'tissue' && chosen !== 'pattern') throw new Error(`BENCH_SLIDE_PIXELS must be tissue or pattern, got ${chosen}`);
  return chosen;
}

/** The fixture's whole level 0, decoded once. */
async function fixtureTissue(): Promise<RgbImage> {
  const slide = await openSlide(TISSUE_FIXTURE);
  try {
    return await slide.readRegion(0, 0, slide.info.width, slide.info.height, 0);
  } finally {
    await slide.close();
  }
}

/**
 * width x height pixels (at downsample ds) tiled from the source image, mirrored at every other
 * repeat so that neighbouring copies meet at matching edges instead of a cut.
 */
function mirroredMosaic(source: RgbImage, width: number, height: number, ds: number): RgbImage {
  const w = Math.ceil(width / ds);
  const h = Math.ceil(height / ds);
  const data = new Uint8Array(w * h * 3);
  const fold = (v: number, size: number): number => {
    const period = v % (2 * size);
    return period < size ? period : 2 * size - 1 - period;
  };
  for (let y = 0; y < h; y++) {
    const sy = fold(y * ds, source.height);
    for (let x = 0; x < w; x++) {
      const s = (sy * source.width + fold(x * ds, source.width)) * 3;
      const o = (y * w + x) * 3;
      data[o] = source.data[s]!;
      data[o + 1] = source.data[s + 1]!;
      data[o + 2] = source.data[s + 2]!;
    }
  }
  return { width: w, height: h, data };
}

/**
 * The extraction benches' slide: a square 2-level JPEG pyramid at 0.5 µm/px in 256 px tiles. Real
 * tissue is written as scanners write it (quality 80, 4:2:0 chroma); the pattern as the tests do.
 */
export async function writeBenchPyramid(dir: string, side: number, pixels: BenchPixels = benchPixels()): Promise<string> {
  const tissue = pixels === 'tissue' ? await fixtureTissue() : null;
  return writePyramid(path.join(dir, 'slide.tif'), {
    width: side,
    height: side,
    tile: 256,
    compression: 'jpeg',
    downsamples: [1, 4],
    resolution: { x: 20000, y: 20000, unit: 3 },
    ...(tissue ? { pixels: (w: number, h: number, ds: number) => mirroredMosaic(tissue, w, h, ds), jpeg: { quality: 80, chroma: '4:2:0' as const } } : {}),
  });
}
