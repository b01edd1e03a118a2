import fs from 'node:fs';
import path from 'node:path';
import { HistoError } from '../errors';
import { nodeRequire } from '../node-require';
import { argmax, type TilePrediction } from './slide-predictions';

/** geotiff's writer (one uncompressed strip, interleaved bands, the tags we pass), loaded on first use. */
function geotiffWriter(): { writeArrayBuffer(values: Uint8Array, metadata: Record<string, unknown>): ArrayBuffer } {
  return nodeRequire('geotiff') as { writeArrayBuffer(values: Uint8Array, metadata: Record<string, unknown>): ArrayBuffer };
}

/**
 * A slide's predictions as a small multi-band TIFF, one pixel per tile, for other viewers (QGIS,
 * Fiji, Python): band 1 is the predicted class (1-based; 0 where no tile was predicted) and band
 * 1 + c is p(class c) scaled to 0..255. ModelPixelScale says how many level-0 pixels one map
 * pixel covers; ImageDescription names the bands. geotiff writes the file: this is its job here
 * (bench/geotiff-container.ts measured why it is not the slide reader's container layer).
 */
export function predictionMapTiff(classes: string[], tiles: TilePrediction[]): Buffer {
  if (tiles.length === 0) throw new HistoError('VALIDATION', 'a prediction map needs at least one predicted tile');
  const stepX = tiles[0]!.width;
  const stepY = tiles[0]!.height;
  const col = (t: TilePrediction): number => Math.round(t.x / stepX);
  const row = (t: TilePrediction): number => Math.round(t.y / stepY);
  const width = Math.max(...tiles.map(col)) + 1;
  const height = Math.max(...tiles.map(row)) + 1;
  const bands = 1 + classes.length;
  const values = new Uint8Array(width * height * bands);
  for (const t of tiles) {
    const at = (row(t) * width + col(t)) * bands;
    values[at] = argmax(t.probs) + 1;
    t.probs.forEach((p, c) => (values[at + 1 + c] = Math.round(Math.min(1, Math.max(0, p)) * 255)));
  }
  const description = JSON.stringify({ bands: ['class (1-based, 0 = no tile)', ...classes.map((c) => `p(${c}) x 255`)], classes, tileWidth: stepX, tileHeight: stepY });
  const buffer = geotiffWriter().writeArrayBuffer(values, {
    width, height, SamplesPerPixel: [bands], BitsPerSample: new Array<number>(bands).fill(8), PhotometricInterpretation: 1,
    ImageDescription: description, ModelPixelScale: [stepX, stepY, 0],
  });
  return Buffer.from(buffer);
}

/** Writes `<folder>/<slide file name>.map.tif` for each slide; returns the files written. */
export function writePredictionMaps(folder: string, classes: string[], slides: Array<{ path: string; tiles: TilePrediction[] }>): string[] {
  const dir = path.resolve(folder);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new HistoError('NOT_FOUND', `${dir}: folder does not exist`);
  return slides.filter((s) => s.tiles.length > 0).map((slide) => {
    const file = path.join(dir, `${path.basename(slide.path)}.map.tif`);
    fs.writeFileSync(file, predictionMapTiff(classes, slide.tiles));
    return file;
  });
}
