/**
 * Slide-reading bench: random 224 x 224 level-0 reads from a generated 20k x 20k JPEG-tiled pyramid,
 * through openSlide (worker pool + tile cache) and, where Debian's python3-openslide is installed,
 * through OpenSlide on the same regions; plus JPEG tile decode speed of geotiff's decoder vs sharp,
 * and the measured decision on geotiff as the TIFF container layer (bench/geotiff-container.ts).
 *   node scripts/run-ts.mjs bench/slides-bench.ts [--size 20000] [--reads 1000] [--file path] [--geotiff-cases 2000]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeRequire } from '../src-main/core/node-require';
import { decodeTile } from '../src-main/core/slides/codecs/decode-tile';
import { buildJpegStream, decodeJpegWasm } from '../src-main/core/slides/codecs/jpeg';
import { FileReader } from '../src-main/core/slides/file-reader';
import { openSlide } from '../src-main/core/slides/open-slide';
import { loadSharp } from '../src-main/core/slides/sharp-loader';
import { parseTiff } from '../src-main/core/slides/tiff/tiff-file';
import { describeImage } from '../src-main/core/slides/tiff/tiff-image';
import { openSlidePython } from '../test/helpers/openslide-python';
import { measureGeotiffContainer } from './geotiff-container';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SIZE = Number(arg('size', '20000'));
const READS = Number(arg('reads', '1000'));
const PATCH = 224;

async function generate(file: string): Promise<void> {
  const sharp = loadSharp();
  sharp.concurrency(os.availableParallelism());
  // A small random image blown up with a smooth kernel: blobs at several scales compress like tissue.
  const small = Math.ceil(SIZE / 16);
  const data = new Uint8Array(small * small * 3);
  let seed = 1;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data[i] = 90 + ((seed >> 8) % 140);
  }
  const started = performance.now();
  await sharp(data, { raw: { width: small, height: small, channels: 3 } })
    .resize(SIZE, SIZE, { kernel: 'cubic' })
    .tiff({ tile: true, tileWidth: 256, tileHeight: 256, pyramid: true, compression: 'jpeg', quality: 80 })
    .toFile(file);
  sharp.concurrency(1);
  console.log(`generated ${SIZE}x${SIZE} JPEG pyramid (${(fs.statSync(file).size / 1e6).toFixed(0)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function regions(width: number, height: number): Array<[number, number]> {
  let seed = 42;
  const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return Array.from({ length: READS }, () => [Math.floor(next() * (width - PATCH)), Math.floor(next() * (height - PATCH))]);
}

async function benchOurs(file: string, points: Array<[number, number]>): Promise<{ sequential: number; concurrent: number }> {
  // Fresh slides so the second pass does not start from the first pass's cache.
  let slide = await openSlide(file);
  await slide.readRegion(0, 0, PATCH, PATCH, 0); // start the workers
  let t = performance.now();
  for (const [x, y] of points) await slide.readRegion(x, y, PATCH, PATCH, 0);
  const sequential = points.length / ((performance.now() - t) / 1000);
  await slide.close();

  slide = await openSlide(file);
  await slide.readRegion(0, 0, PATCH, PATCH, 0);
  t = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < points.length) {
      const [x, y] = points[next++]!;
      await slide.readRegion(x, y, PATCH, PATCH, 0);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  const concurrent = points.length / ((performance.now() - t) / 1000);
  await slide.close();
  return { sequential, concurrent };
}

function benchOpenSlide(python: string, file: string, points: Array<[number, number]>): number {
  const pointsFile = path.join(os.tmpdir(), `histo-bench-points-${process.pid}.json`);
  fs.writeFileSync(pointsFile, JSON.stringify(points));
  const script = `
import json, sys, time, openslide
s = openslide.OpenSlide(sys.argv[1])
pts = json.load(open(sys.argv[2]))
s.read_region((0, 0), 0, (${PATCH}, ${PATCH}))
t = time.perf_counter()
for x, y in pts:
    s.read_region((x, y), 0, (${PATCH}, ${PATCH})).convert("RGB")
print(len(pts) / (time.perf_counter() - t))
`;
  try {
    return Number(execFileSync(python, ['-c', script, file, pointsFile], { encoding: 'utf8' }).trim());
  } finally {
    fs.rmSync(pointsFile, { force: true });
  }
}

/** Decodes the same JPEG tiles with geotiff's pure-JS decoder and with sharp (libjpeg-turbo), on this thread. */
async function benchJpegDecoders(file: string): Promise<void> {
  const reader = await FileReader.open(file);
  const tiff = await parseTiff(reader);
  const image = describeImage(file, tiff.ifds[0]!, reader.size);
  const count = Math.min(300, image.offsets.length);
  const tiles: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const index = Math.floor((i * image.offsets.length) / count);
    tiles.push(await reader.read(image.offsets[index]!, image.byteCounts[index]!, 'tile'));
  }
  await reader.close();

  const geotiffJpeg = nodeRequire(path.join(path.dirname(nodeRequire.resolve('geotiff')), 'compression', 'jpeg.js')) as { default: new (p: object) => { decodeBlock(b: ArrayBuffer): ArrayBuffer } };
  const decoder = new geotiffJpeg.default({ JPEGTables: image.codec.jpegTables ?? undefined });
  const ycbcr = image.codec.photometric === 6;
  let t = performance.now();
  for (const tile of tiles) {
    const out = new Uint8Array(decoder.decodeBlock(tile.slice().buffer));
    if (ycbcr) {
      // geotiff leaves YCbCr to its raster reader; the conversion is part of the cost.
      for (let i = 0; i + 2 < out.length; i += 3) {
        const y = out[i]!, cb = out[i + 1]! - 128, cr = out[i + 2]! - 128;
        out[i] = Math.max(0, Math.min(255, y + 1.402 * cr));
        out[i + 1] = Math.max(0, Math.min(255, y - 0.344136 * cb - 0.714136 * cr));
        out[i + 2] = Math.max(0, Math.min(255, y + 1.772 * cb));
      }
    }
  }
  const geotiffMs = (performance.now() - t) / tiles.length;

  const sharp = loadSharp();
  const streams = tiles.map((tile) => buildJpegStream(tile, image.codec.jpegTables, image.codec.photometric));
  for (const stream of streams.slice(0, 5)) await sharp(stream).raw().toBuffer();
  t = performance.now();
  for (const stream of streams) await sharp(stream, { failOn: 'error' }).raw().toBuffer();
  const sharpMs = (performance.now() - t) / tiles.length;
  for (const stream of streams.slice(0, 5)) await decodeJpegWasm(stream);
  t = performance.now();
  for (const stream of streams) await decodeJpegWasm(stream);
  const wasmMs = (performance.now() - t) / tiles.length;
  t = performance.now();
  for (const tile of tiles) await decodeTile(tile, image.codec);
  const chosenMs = (performance.now() - t) / tiles.length;
  console.log(`JPEG tile decode (${image.tileWidth}x${image.tileHeight}, ${(tiles.reduce((a, b) => a + b.length, 0) / tiles.length / 1024).toFixed(1)} KB avg, one thread, ${tiles.length} tiles, ms/tile):`);
  console.log(`  geotiff (pure JS) ${geotiffMs.toFixed(2)} | sharp (native libjpeg-turbo) ${sharpMs.toFixed(2)} | libjpeg-turbo wasm ${wasmMs.toFixed(2)} | decodeTile as shipped ${chosenMs.toFixed(2)}`);
}

async function main(): Promise<void> {
  const given = arg('file', '');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-bench-'));
  const file = given || path.join(dir, `pyramid-${SIZE}.tif`);
  try {
    if (!given) await generate(file);
    const slide = await openSlide(file);
    const { width, height } = slide.info;
    console.log(`slide: ${width}x${height}, ${slide.info.levels.length} levels, tiles ${slide.info.levels[0]!.tileWidth}x${slide.info.levels[0]!.tileHeight}; ${os.availableParallelism()} cores`);
    await slide.close();
    await benchJpegDecoders(file);
    const points = regions(width, height);
    const ours = await benchOurs(file, points);
    console.log(`histo openSlide: ${ours.sequential.toFixed(0)} tiles/s one at a time, ${ours.concurrent.toFixed(0)} tiles/s with 8 in flight (${READS} random ${PATCH}x${PATCH} level-0 reads)`);
    const python = openSlidePython();
    if (python) {
      const theirs = benchOpenSlide(python, file, points);
      console.log(`OpenSlide (${python}): ${theirs.toFixed(0)} tiles/s one at a time; ratio histo/OpenSlide: ${(ours.sequential / theirs).toFixed(2)}x sequential, ${(ours.concurrent / theirs).toFixed(2)}x with 8 in flight`);
    } else {
      console.log('OpenSlide: not installed (Debian python3-openslide), skipped');
    }
    const decision = await measureGeotiffContainer(dir, process.cwd(), file, Number(arg('geotiff-cases', '2000')));
    for (const line of decision.lines) console.log(line);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
