import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runHisto } from '../helpers/run-cli';
import { writeDicomInstance } from '../fixtures/dicom-writer';
import { crop, meanAbsDiff, patternImage, pyramidPages, stripPage, writePyramid, writeTiff } from '../fixtures/slide-fixtures';
import type { RgbImage } from '../../src-main/core/slides/slide-source';
import os from 'node:os';

const W = 1000;
const H = 740;
const APERIO = 'Aperio Image Library v12.0.5\r\n1000x740 [0,0 1000x740] (128x128) JPEG/RGB Q=95|AppMag = 40|MPP = 0.2500';
const OME = `<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0" Name="s"><Pixels DimensionOrder="XYCZT" ID="Pixels:0" SizeC="3" SizeT="1" SizeX="${W}" SizeY="${H}" SizeZ="1" Type="uint8" PhysicalSizeX="0.25" PhysicalSizeXUnit="µm" PhysicalSizeY="0.25" PhysicalSizeYUnit="µm"><Channel ID="Channel:0:0" SamplesPerPixel="3"/><TiffData IFD="0" PlaneCount="1"/></Pixels></Image></OME>`;
const mpp025 = { x: 40000, y: 40000, unit: 3 };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-slide-cli-'));
const fixtures: Record<string, { file: string; format: string; tolerance: number; mpp: number | null; levels: number }> = {};

async function readPng(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

function json<T = Record<string, unknown>>(args: string[]): T {
  const result = runHisto(args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  const add = (name: string, file: string, format: string, tolerance: number, mpp: number | null, levels: number) =>
    (fixtures[name] = { file, format, tolerance, mpp, levels });
  add('tiled JPEG TIFF', await writePyramid(path.join(dir, 'jpeg.tif'), { width: W, height: H, tile: 128, compression: 'jpeg', resolution: mpp025 }), 'tiff', 2, 0.25, 3);
  add('BigTIFF, LZW tiles', await writePyramid(path.join(dir, 'lzw.btf'), { width: W, height: H, tile: 128, compression: 'lzw', bigTiff: true, resolution: mpp025 }), 'bigtiff', 0, 0.25, 3);
  add('Deflate tiles', await writePyramid(path.join(dir, 'deflate.tif'), { width: W, height: H, tile: 256, compression: 'deflate', resolution: mpp025 }), 'tiff', 0, 0.25, 3);
  add('stripped single level, no mpp', await writePyramid(path.join(dir, 'strips.tif'), { width: W, height: H, tile: 128, compression: 'lzw', downsamples: [1], stripRows: 32 }), 'tiff', 0, null, 1);
  const svsPages = await pyramidPages({ width: W, height: H, tile: 128, compression: 'jpeg', description: APERIO });
  const svs = path.join(dir, 'aperio.svs');
  fs.writeFileSync(svs, writeTiff([svsPages[0]!, await stripPage(patternImage(W, H, 5), 'jpeg'), svsPages[1]!, svsPages[2]!]));
  add('Aperio SVS (JPEG)', svs, 'svs', 2, 0.25, 3);
  const j2kPages = await pyramidPages({ width: W, height: H, tile: 256, compression: 'j2k-rgb', downsamples: [1, 4], description: APERIO });
  const j2k = path.join(dir, 'j2k.svs');
  fs.writeFileSync(j2k, writeTiff([j2kPages[0]!, await stripPage(patternImage(W, H, 8), 'lzw'), j2kPages[1]!]));
  add('Aperio SVS (JPEG 2000, 33005)', j2k, 'svs', 1, 0.25, 2);
  const omePages = await pyramidPages({ width: W, height: H, tile: 128, compression: 'lzw', subIfds: true, bigTiff: true, description: OME });
  const ome = path.join(dir, 'slide.ome.tif');
  fs.writeFileSync(ome, writeTiff(omePages, { bigTiff: true }));
  add('OME-TIFF (SubIFDs)', ome, 'ome-tiff', 0, 0.25, 3);
  const png = path.join(dir, 'patch.png');
  const pattern = patternImage(W, H);
  await sharp(Buffer.from(pattern.data), { raw: { width: W, height: H, channels: 3 } }).png().toFile(png);
  add('PNG image', png, 'png', 0, null, 1);
  const dicom = path.join(dir, 'dicom-series');
  fs.mkdirSync(dicom);
  for (const [i, ds] of [1, 2, 4].entries()) {
    await writeDicomInstance(path.join(dicom, `level-${i}.dcm`), { seriesUid: '1.2.3.5', instanceUid: `1.2.3.5.${i}`, image: patternImage(W, H, ds), tile: 256, codec: 'jpeg' });
  }
  add('DICOM WSI folder (JPEG)', dicom, 'dicom', 4, 0.25, 3);
});

describe('histo slide commands on every format', () => {
  const names = () => Object.keys(fixtures);
  it('has all fixtures', () => expect(names()).toHaveLength(9));

  it.each([
    'tiled JPEG TIFF',
    'BigTIFF, LZW tiles',
    'Deflate tiles',
    'stripped single level, no mpp',
    'Aperio SVS (JPEG)',
    'Aperio SVS (JPEG 2000, 33005)',
    'OME-TIFF (SubIFDs)',
    'PNG image',
    'DICOM WSI folder (JPEG)',
  ])('%s: info, region, thumbnail and tiles', async (name) => {
    const fixture = fixtures[name]!;
    const info = json(['slide', 'info', fixture.file, '--json']);
    expect(info).toMatchObject({ path: fixture.file, format: fixture.format, width: W, height: H, mppX: fixture.mpp, mppY: fixture.mpp });
    expect(info.levels).toHaveLength(fixture.levels);
    expect((info.levels as Array<Record<string, number>>)[0]).toMatchObject({ width: W, height: H, downsample: 1, tileWidth: expect.any(Number) });
    expect(Array.isArray(info.associated)).toBe(true);
    expect(info).toHaveProperty('magnification');
    expect(info.vendor).toBe({ svs: 'aperio', 'ome-tiff': 'ome', dicom: 'dicom' }[fixture.format] ?? null);

    const out = path.join(dir, `${name.replace(/\W+/g, '-')}-region.png`);
    json(['slide', 'region', fixture.file, '--x', '300', '--y', '200', '--width', '180', '--height', '150', '--out', out, '--json']);
    const region = await readPng(out);
    expect([region.width, region.height]).toEqual([180, 150]);
    expect(meanAbsDiff(region, crop(patternImage(W, H), 300, 200, 180, 150))).toBeLessThanOrEqual(Math.max(2, fixture.tolerance));

    const thumb = path.join(dir, `${name.replace(/\W+/g, '-')}-thumb.png`);
    const size = json<{ width: number; height: number }>(['slide', 'thumbnail', fixture.file, '--max', '200', '--out', thumb, '--json']);
    expect(size).toEqual({ out: thumb, width: 200, height: 148 });
    const thumbnail = await readPng(thumb);
    expect(meanAbsDiff(thumbnail, patternImage(W, H, 5))).toBeLessThan(12);

    const tiles = json<{ count: number; tiles: Array<Record<string, number>> }>(['tiles', fixture.file, '--size', '100', '--level', '0', '--json']);
    expect(tiles.count).toBe(tiles.tiles.length);
    expect(tiles.tiles[0]).toEqual({ x: expect.any(Number), y: expect.any(Number), width: 100, height: 100, tissue: expect.any(Number) });
  });

  it('reads a region of a coarser level', async () => {
    const fixture = fixtures['BigTIFF, LZW tiles']!;
    const out = path.join(dir, 'level1.png');
    json(['slide', 'region', fixture.file, '--x', '400', '--y', '200', '--width', '100', '--height', '80', '--level', '1', '--out', out, '--json']);
    expect(meanAbsDiff(await readPng(out), crop(patternImage(W, H, 2), 200, 100, 100, 80))).toBe(0);
  });

  it('plans 448 px level-0 tiles for 224 px at 0.5 µm/px on a 0.25 µm/px slide', () => {
    const grid = json<{ count: number; mpp: number; level: number; downsample: number; tiles: Array<Record<string, number>> }>([
      'tiles',
      fixtures['Aperio SVS (JPEG)']!.file,
      '--size',
      '224',
      '--mpp',
      '0.5',
      '--json',
    ]);
    // The pyramid has a level at downsample 2: that is the level to read.
    expect(grid).toMatchObject({ mpp: 0.5, level: 1, downsample: 2 });
    expect(grid.count).toBe(2); // 1000 x 740 fits 2 x 1 whole 448 px tiles
    expect(grid.tiles.map((t) => [t.x, t.y, t.width, t.height])).toEqual([
      [0, 0, 448, 448],
      [448, 0, 448, 448],
    ]);
    // Levels at downsamples 1 and 4 only: the nearest finer level is 0, read and downsampled.
    const between = json<{ level: number; downsample: number; tiles: Array<Record<string, number>> }>([
      'tiles', fixtures['Aperio SVS (JPEG 2000, 33005)']!.file, '--size', '224', '--mpp', '0.5', '--json',
    ]);
    expect(between).toMatchObject({ level: 0, downsample: 2 });
    expect(between.tiles[0]).toMatchObject({ width: 448, height: 448 });
  });

  it('a slide without mpp: info says null, tiling by mpp refuses clearly, --mpp-override works', () => {
    const file = fixtures['stripped single level, no mpp']!.file;
    expect(json(['slide', 'info', file, '--json'])).toMatchObject({ mppX: null, mppY: null });
    const refused = runHisto(['tiles', file, '--size', '224', '--mpp', '0.5', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/strips\.tif: the slide's resolution .* is unknown.*--mpp-override/);
    const grid = json<{ count: number; mpp: number; downsample: number; tiles: Array<Record<string, number>> }>([
      'tiles', file, '--size', '224', '--mpp', '0.5', '--mpp-override', '0.25', '--json',
    ]);
    expect(grid).toMatchObject({ mpp: 0.5, downsample: 2, count: 2 });
    expect(grid.tiles[0]).toMatchObject({ width: 448, height: 448 });
    expect(json(['slide', 'info', file, '--mpp-override', '0.25', '--json'])).toMatchObject({ mppX: 0.25, mppY: 0.25 });
  });

  it('filters tiles by tissue on the real Aperio slide', () => {
    const file = path.resolve(__dirname, '../fixtures/CMU-1-Small-Region.svs');
    const info = json(['slide', 'info', file, '--json']);
    expect(info).toMatchObject({ format: 'svs', vendor: 'aperio', width: 2220, height: 2967, magnification: 20, associated: ['thumbnail', 'label', 'macro'] });
    const all = json<{ count: number; tiles: Array<{ tissue: number }> }>(['tiles', file, '--size', '224', '--mpp', '0.5', '--json']);
    const tissue = json<{ count: number; tiles: Array<{ tissue: number }> }>(['tiles', file, '--size', '224', '--mpp', '0.5', '--min-tissue', '0.5', '--json']);
    expect(all.count).toBe(Math.floor(2220 / 224) * Math.floor(2967 / 224) - 0 || all.count);
    expect(tissue.count).toBeGreaterThan(10);
    expect(tissue.count).toBeLessThan(all.count);
    expect(tissue.tiles.every((t) => t.tissue >= 0.5)).toBe(true);
  });

  it('refuses bad files and bad arguments with the right exit code', () => {
    const text = path.join(dir, 'notes.svs');
    fs.writeFileSync(text, 'not a slide at all');
    const bad = runHisto(['slide', 'info', text]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/notes\.svs: /);
    expect(runHisto(['tiles', text, '--size', '224']).code).toBe(2); // neither --mpp nor --level
    expect(runHisto(['slide', 'region', text, '--x', 'left', '--y', '0', '--width', '1', '--height', '1', '--out', 'x.png']).code).toBe(2);
  });
});
