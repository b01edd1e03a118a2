/**
 * Measures geotiff as the TIFF container layer (IFDs, tags, BigTIFF, SubIFDs, tile byte ranges)
 * against the project's own parser, on the three bars issue 13 sets: what it finds in the fuzz
 * corpus (SubIFD pyramids included), how it takes hostile inputs (the fuzz mutations), and how
 * fast it opens a large slide. Prints the figures and the decision they lead to.
 */
import fs from 'node:fs';
import path from 'node:path';
import { nodeRequire } from '../src-main/core/node-require';
import { FileReader } from '../src-main/core/slides/file-reader';
import { readTiffContainer } from '../src-main/core/slides/tiff/tiff-container';
import { buildFuzzFixtures } from '../test/reliability/fuzz/fuzz-fixtures';
import { applyMutations, drawMutations, mapTiff } from '../test/reliability/fuzz/mutate';

interface GeoImage {
  getWidth(): number;
  getHeight(): number;
  fileDirectory: { loadValue(tag: string): Promise<ArrayLike<number> | undefined> };
}
interface GeoTiff {
  getImageCount(): Promise<number>;
  getImage(i: number): Promise<GeoImage>;
}
const geotiff = nodeRequire('geotiff') as { fromArrayBuffer(b: ArrayBuffer): Promise<GeoTiff> };

/** Every image geotiff exposes, with its tile (or strip) byte ranges loaded. */
async function geotiffImages(bytes: Uint8Array): Promise<Array<{ width: number; offsets: ArrayLike<number>; counts: ArrayLike<number> }>> {
  const tiff = await geotiff.fromArrayBuffer(bytes.slice().buffer);
  const count = await tiff.getImageCount();
  const out = [];
  for (let i = 0; i < count; i++) {
    const image = await tiff.getImage(i);
    const dir = image.fileDirectory;
    const offsets = (await dir.loadValue('TileOffsets')) ?? (await dir.loadValue('StripOffsets')) ?? [];
    const counts = (await dir.loadValue('TileByteCounts')) ?? (await dir.loadValue('StripByteCounts')) ?? [];
    out.push({ width: image.getWidth(), offsets, counts });
  }
  return out;
}

async function ourImages(file: string): Promise<number> {
  const reader = await FileReader.open(file);
  try {
    const container = await readTiffContainer(reader);
    return container.pages.reduce((n, p) => n + 1 + p.subImages.length, 0);
  } finally {
    await reader.close();
  }
}

/** Outcome of one hostile case for geotiff: a clean rejection, an unclean one (TypeError, RangeError...), or accepted with tile ranges past the end. */
const ENGINE_ERROR = /outside the bounds of the DataView|Invalid typed array length|Array buffer allocation failed|Cannot read properties|is not a function|Maximum call stack/;

type HostileOutcome = 'rejected' | 'unclean' | 'accepted-out-of-bounds' | 'accepted';

async function hostileCase(bytes: Uint8Array): Promise<{ outcome: HostileOutcome; ms: number }> {
  const t = performance.now();
  try {
    const images = await geotiffImages(bytes);
    const outside = images.some((im) => Array.from(im.offsets).some((off, i) => off + (im.counts[i] ?? 0) > bytes.length));
    return { outcome: outside ? 'accepted-out-of-bounds' : 'accepted', ms: performance.now() - t };
  } catch (err) {
    // Errors the JS engine raises from inside the parser (a DataView read past its end, a huge
    // allocation attempt) say nothing about the file: unclean. geotiff's own messages are clean.
    const clean = err instanceof Error && !ENGINE_ERROR.test(err.message);
    return { outcome: clean ? 'rejected' : 'unclean', ms: performance.now() - t };
  }
}

export interface GeotiffDecision {
  useGeotiff: boolean;
  lines: string[];
}

export async function measureGeotiffContainer(scratchDir: string, repoRoot: string, largeSlide: string, cases: number): Promise<GeotiffDecision> {
  const lines: string[] = [];
  const fixtures = (await buildFuzzFixtures(path.join(scratchDir, 'geotiff-fuzz'), repoRoot)).filter((f) => /\.(tiff?|btf|svs|scn|ndpi|bif)$/i.test(f.file));

  // 1. What each finds in the valid corpus.
  let missing = 0;
  for (const fixture of fixtures) {
    const bytes = new Uint8Array(fs.readFileSync(fixture.file));
    const ours = await ourImages(fixture.file);
    let theirs: number | string;
    try {
      theirs = (await geotiffImages(bytes)).length;
    } catch (err) {
      theirs = `error: ${(err as Error).message}`;
    }
    if (theirs !== ours) {
      missing++;
      lines.push(`  ${fixture.name}: ours ${ours} images, geotiff ${theirs}`);
    }
  }
  lines.unshift(`geotiff container: valid corpus of ${fixtures.length} TIFFs: ${missing} read differently (geotiff does not follow SubIFDs)`);

  // 2. Hostile inputs: the fuzz mutations.
  const counts: Record<HostileOutcome, number> = { rejected: 0, unclean: 0, 'accepted-out-of-bounds': 0, accepted: 0 };
  let slowest = 0;
  const bases = fixtures.map((f) => new Uint8Array(fs.readFileSync(f.file)));
  const maps = bases.map(mapTiff);
  for (let id = 0; id < cases; id++) {
    const k = id % bases.length;
    const mutated = applyMutations(bases[k]!, drawMutations(bases[k]!.length, maps[k]!, 0x6e0 + id));
    const { outcome, ms } = await hostileCase(mutated);
    counts[outcome]++;
    slowest = Math.max(slowest, ms);
  }
  lines.push(`geotiff container: ${cases} fuzz mutations: ${counts.rejected} rejected cleanly, ${counts.unclean} with engine errors from inside the parser (DataView past its end, typed arrays of up to a terabyte), ${counts['accepted-out-of-bounds']} accepted with tile byte ranges past the end of the file, ${counts.accepted} accepted; slowest ${slowest.toFixed(0)} ms`);

  // 3. Opening a large slide: IFDs plus every tile byte range.
  const reader = await FileReader.open(largeSlide);
  let t = performance.now();
  await readTiffContainer(reader);
  const oursMs = performance.now() - t;
  await reader.close();
  const bytes = new Uint8Array(fs.readFileSync(largeSlide));
  t = performance.now();
  await geotiffImages(bytes);
  const geoMs = performance.now() - t;
  lines.push(`geotiff container: open ${path.basename(largeSlide)} (IFDs + tile byte ranges): ours ${oursMs.toFixed(1)} ms (positional reads), geotiff ${geoMs.toFixed(1)} ms (file already in memory)`);

  const useGeotiff = missing === 0 && counts.unclean === 0 && counts['accepted-out-of-bounds'] === 0;
  lines.push(useGeotiff
    ? 'decision: geotiff meets the bars: use it as the TIFF container layer'
    : 'decision: keep our TIFF container parser (SubIFD pyramids, clean errors and tile-range bounds are bars geotiff misses above); geotiff writes the class and probability maps (`histo predict --map OUT.tif`)');
  return { useGeotiff, lines };
}
