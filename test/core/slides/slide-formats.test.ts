import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlideInfo } from '../../../src-shared/domain/slide';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import type { SlideSource } from '../../../src-main/core/slides/slide-source';
import type { TileCompression } from '../../fixtures/slide-fixtures';
import { crop, encodeChunks, fixtureDir, meanAbsDiff, patternImage, pyramidPages, solidImage, stripPage, writePyramid, writeTiff } from '../../fixtures/slide-fixtures';

let dir: string;
beforeAll(() => {
  dir = fixtureDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const W = 1000;
const H = 740;

async function withSlide<T>(file: string, fn: (slide: SlideSource) => Promise<T>, opts?: { mppOverride?: number }): Promise<T> {
  const slide = await openSlide(file, opts);
  try {
    SlideInfo.parse(slide.info);
    return await fn(slide);
  } finally {
    await slide.close();
  }
}

/** Checks regions of every level (inside, across tile borders, past the edges) against the pattern. */
async function expectLevelsMatch(slide: SlideSource, tolerance: number, downsamples = [1, 2, 4]): Promise<void> {
  expect(slide.info.levels.map((l) => l.downsample)).toEqual(downsamples.map((d) => expect.closeTo(d, 2)));
  for (const [level, ds] of downsamples.entries()) {
    const expected = patternImage(W, H, ds);
    const lw = slide.info.levels[level]!.width;
    for (const [x, y, w, h] of [[0, 0, 100, 80], [100, 120, 300, 200], [lw - 50, 10, 120, 90], [-20, -30, 64, 64]] as const) {
      const got = await slide.readRegion(x * ds, y * ds, w, h, level);
      expect(got.width).toBe(w);
      expect(meanAbsDiff(got, crop(expected, x, y, w, h)), `level ${level} region ${x},${y}`).toBeLessThanOrEqual(tolerance);
    }
  }
}

describe('generic tiled pyramidal TIFF (own writer)', () => {
  const cases: Array<{ compression: TileCompression; bigTiff: boolean; predictor?: boolean; tol: number }> = [
    { compression: 'jpeg', bigTiff: false, tol: 2 },
    { compression: 'jpeg', bigTiff: true, tol: 2 },
    { compression: 'lzw', bigTiff: false, tol: 0 },
    { compression: 'lzw', bigTiff: true, predictor: true, tol: 0 },
    { compression: 'deflate', bigTiff: false, tol: 0 },
    { compression: 'adobe-deflate', bigTiff: true, predictor: true, tol: 0 },
    { compression: 'none', bigTiff: false, tol: 0 },
  ];
  for (const c of cases) {
    it(`reads ${c.compression}${c.predictor ? ' + predictor' : ''} tiles from a ${c.bigTiff ? 'BigTIFF' : 'TIFF'}`, async () => {
      const file = await writePyramid(path.join(dir, `pyr-${c.compression}-${c.bigTiff}-${c.predictor}.tif`), { width: W, height: H, tile: 128, compression: c.compression, bigTiff: c.bigTiff, predictor: c.predictor ?? false });
      await withSlide(file, async (slide) => {
        expect(slide.info.format).toBe(c.bigTiff ? 'bigtiff' : 'tiff');
        expect(slide.info.vendor).toBeNull();
        expect(slide.info.mppX).toBeNull();
        expect(slide.info.levels[0]).toMatchObject({ width: W, height: H, tileWidth: 128, tileHeight: 128 });
        await expectLevelsMatch(slide, c.tol);
      });
    });
  }

  it('reads large JPEG tiles (decoded by sharp rather than wasm libjpeg-turbo)', async () => {
    const file = await writePyramid(path.join(dir, 'jpeg-512.tif'), { width: W, height: H, tile: 512, compression: 'jpeg' });
    await withSlide(file, (slide) => expectLevelsMatch(slide, 2));
  });

  it('reads JPEG tiles that carry their own tables (no JPEGTables tag)', async () => {
    const pages = await pyramidPages({ width: W, height: H, tile: 256, compression: 'jpeg', sharedTables: false });
    const file = path.join(dir, 'jpeg-own-tables.tif');
    fs.writeFileSync(file, writeTiff(pages));
    await withSlide(file, (slide) => expectLevelsMatch(slide, 2));
  });
});

describe('pyramidal TIFF written by libvips (sharp)', () => {
  for (const compression of ['jpeg', 'lzw', 'deflate'] as const) {
    it(`reads a ${compression} pyramid`, async () => {
      const source = patternImage(W, H);
      const file = path.join(dir, `vips-${compression}.tif`);
      await sharp(source.data, { raw: { width: W, height: H, channels: 3 } })
        .tiff({ tile: true, tileWidth: 128, tileHeight: 128, pyramid: true, compression, quality: 95, xres: 2000, yres: 2000, resolutionUnit: 'cm' })
        .toFile(file);
      await withSlide(file, async (slide) => {
        expect(slide.info.levels.length).toBeGreaterThanOrEqual(3);
        expect(slide.info.levels[1]!.downsample).toBeCloseTo(2, 1);
        // libvips stores pixels per mm; 2000 px/mm is 0.5 um per pixel.
        expect(slide.info.mppX).toBeCloseTo(0.5, 6);
        const got = await slide.readRegion(200, 150, 300, 200, 0);
        expect(meanAbsDiff(got, crop(source, 200, 150, 300, 200))).toBeLessThanOrEqual(compression === 'jpeg' ? 2 : 0);
        const level1 = await slide.readRegion(0, 0, 200, 200, 1);
        expect(meanAbsDiff(level1, crop(patternImage(W, H, 2), 0, 0, 200, 200))).toBeLessThanOrEqual(3);
      });
    });
  }
});

describe('stripped and single-level TIFF', () => {
  it('reads a stripped LZW TIFF and serves low-resolution reads from one level', async () => {
    const file = await writePyramid(path.join(dir, 'stripped.tif'), { width: W, height: H, tile: 128, compression: 'lzw', downsamples: [1], stripRows: 16, resolution: { x: 40000, y: 40000, unit: 3 } });
    await withSlide(file, async (slide) => {
      expect(slide.info.levels).toHaveLength(1);
      expect(slide.info.levels[0]).toMatchObject({ tileWidth: W, tileHeight: 16 });
      expect(slide.info.mppX).toBeCloseTo(0.25, 6);
      await expectLevelsMatch(slide, 0, [1]);
      const whole = await slide.readRegionScaled(0, 0, 250, 185, 4);
      expect(meanAbsDiff(whole, crop(patternImage(W, H, 4), 0, 0, 250, 185))).toBeLessThanOrEqual(6);
    });
  });

  it('builds an overview for coarse reads of a large single-level slide', async () => {
    // Multiples of the downsample, so the reference maps pixels with the same phase.
    const width = 5120;
    const height = 320;
    const image = patternImage(width, height);
    const file = path.join(dir, 'wide.tif');
    fs.writeFileSync(file, writeTiff([await stripPage(image, 'deflate')]));
    await withSlide(file, async (slide) => {
      const coarse = await slide.readRegionScaled(0, 0, 160, 10, 32);
      expect(coarse.width).toBe(160);
      // Compare with sharp's own reduction of the full image.
      const reference = await sharp(image.data, { raw: { width, height, channels: 3 } }).resize(160, 10, { fit: 'fill' }).raw().toBuffer();
      expect(meanAbsDiff(coarse, { width: 160, height: 10, data: new Uint8Array(reference) })).toBeLessThanOrEqual(4);
    });
  });
});

describe('resolution metadata', () => {
  const cases: Array<[string, { x: number; y: number; unit: number } | undefined, number | null]> = [
    ['cm', { x: 20000, y: 20000, unit: 3 }, 0.5],
    ['inch', { x: 101600, y: 101600, unit: 2 }, 0.25],
    ['72 dpi', { x: 72, y: 72, unit: 2 }, null],
    ['unit none', { x: 20000, y: 20000, unit: 1 }, null],
    ['absent', undefined, null],
  ];
  for (const [name, resolution, mpp] of cases) {
    it(`mpp from XResolution (${name})`, async () => {
      const file = await writePyramid(path.join(dir, `res-${name}.tif`), { width: 256, height: 256, tile: 128, compression: 'deflate', downsamples: [1], ...(resolution ? { resolution } : {}) });
      await withSlide(file, async (slide) => {
        if (mpp === null) expect(slide.info.mppX).toBeNull();
        else expect(slide.info.mppX).toBeCloseTo(mpp, 6);
      });
    });
  }

  it('mppOverride replaces the file mpp and info reflects it', async () => {
    const file = await writePyramid(path.join(dir, 'override.tif'), { width: 256, height: 256, tile: 128, compression: 'deflate', downsamples: [1], resolution: { x: 20000, y: 20000, unit: 3 } });
    await withSlide(file, async (slide) => {
      expect(slide.info.mppX).toBe(0.3);
      expect(slide.info.mppY).toBe(0.3);
    }, { mppOverride: 0.3 });
  });
});

const APERIO = 'Aperio Image Library v12.0.5\r\n1000x740 [0,0 1000x740] (128x128) JPEG/RGB Q=95|AppMag = 40|StripeWidth = 2040|ScanScope ID = SS1234|MPP = 0.2520|Date = 01/02/20';

describe('Aperio SVS', () => {
  it('reads levels, metadata and associated images (thumbnail between levels, LZW label, macro)', async () => {
    const [l0, l1, l2] = await pyramidPages({ width: W, height: H, tile: 128, compression: 'jpeg', description: APERIO });
    // A tiled thumbnail with the slide's aspect ratio, placed between level 0 and level 1: still the thumbnail.
    const thumbnail = patternImage(W, H, 5);
    const thumbTiles = await encodeChunks(thumbnail, 64, 64, 'jpeg', { sharedTables: true });
    const thumbPage = { width: thumbnail.width, height: thumbnail.height, tile: { width: 64, height: 64 }, compression: 7, photometric: 6, chunks: thumbTiles.chunks, jpegTables: thumbTiles.jpegTables! };
    const label = solidImage(120, 100, [250, 20, 20]);
    const macro = solidImage(400, 120, [20, 20, 250]);
    const file = path.join(dir, 'slide.svs');
    fs.writeFileSync(file, writeTiff([
      l0!,
      { ...thumbPage, description: 'Aperio Image Library v12.0.5\r\n1000x740 -> 200x148 - |AppMag = 40|MPP = 0.2520' },
      l1!,
      l2!,
      await stripPage(label, 'lzw', { description: 'Aperio Image Library v12.0.5\r\nlabel 120x100', newSubfileType: 1 }),
      await stripPage(macro, 'jpeg', { description: 'Aperio Image Library v12.0.5\r\nmacro 400x120', newSubfileType: 9 }),
    ]));
    await withSlide(file, async (slide) => {
      expect(slide.info).toMatchObject({ format: 'svs', vendor: 'aperio', width: W, height: H, mppX: 0.252, mppY: 0.252, magnification: 40 });
      expect(slide.info.associated).toEqual(['thumbnail', 'label', 'macro']);
      await expectLevelsMatch(slide, 2);
      const thumb = await slide.readAssociated('thumbnail');
      expect([thumb.width, thumb.height]).toEqual([200, 148]);
      expect(meanAbsDiff(thumb, thumbnail)).toBeLessThanOrEqual(2);
      const lab = await slide.readAssociated('label');
      expect(meanAbsDiff(lab, label)).toBe(0);
      const mac = await slide.readAssociated('macro');
      expect(meanAbsDiff(mac, macro)).toBeLessThanOrEqual(2);
    });
  });

  for (const compression of ['j2k-ycbcr', 'j2k-rgb'] as const) {
    it(`reads JPEG 2000 tiles (${compression === 'j2k-ycbcr' ? 33003 : 33005})`, async () => {
      const pages = await pyramidPages({ width: W, height: H, tile: 256, compression, downsamples: [1, 4], description: APERIO });
      const file = path.join(dir, `${compression}.svs`);
      fs.writeFileSync(file, writeTiff([pages[0]!, await stripPage(patternImage(W, H, 8), 'lzw'), pages[1]!]));
      await withSlide(file, async (slide) => {
        expect(slide.info.associated).toEqual(['thumbnail']);
        // Lossless codestreams; YCbCr rounding costs at most a level or two.
        await expectLevelsMatch(slide, compression === 'j2k-ycbcr' ? 1 : 0, [1, 4]);
      });
    });
  }
});

describe('OME-TIFF', () => {
  const omeXml = (sizeX: string, unit: string) => `<?xml version="1.0" encoding="UTF-8"?>
<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" UUID="urn:uuid:1">
  <Instrument ID="Instrument:0"><Objective ID="Objective:0:0" NominalMagnification="20.0"/></Instrument>
  <Image ID="Image:0" Name="slide"><ObjectiveSettings ID="Objective:0:0"/>
    <Pixels DimensionOrder="XYCZT" ID="Pixels:0" SizeC="3" SizeT="1" SizeX="${W}" SizeY="${H}" SizeZ="1" Type="uint8" Interleaved="true"
      PhysicalSizeX="${sizeX}" PhysicalSizeXUnit="${unit}" PhysicalSizeY="${sizeX}" PhysicalSizeYUnit="${unit}">
      <Channel ID="Channel:0:0" SamplesPerPixel="3"/><TiffData IFD="0" PlaneCount="1"/></Pixels></Image>
  <Image ID="Image:1" Name="label"><Pixels DimensionOrder="XYCZT" ID="Pixels:1" SizeC="3" SizeT="1" SizeX="120" SizeY="100" SizeZ="1" Type="uint8">
      <Channel ID="Channel:1:0" SamplesPerPixel="3"/><TiffData IFD="1" PlaneCount="1"/></Pixels></Image>
</OME>`;

  for (const [sizeX, unit, mpp] of [['0.5', 'µm', 0.5], ['250', 'nm', 0.25]] as const) {
    it(`reads a SubIFD pyramid with mpp in ${unit}`, async () => {
      const pages = await pyramidPages({ width: W, height: H, tile: 128, compression: 'lzw', subIfds: true, bigTiff: true, description: omeXml(sizeX, unit) });
      const label = solidImage(120, 100, [10, 200, 10]);
      const file = path.join(dir, `slide-${unit}.ome.tif`);
      fs.writeFileSync(file, writeTiff([...pages, await stripPage(label, 'deflate')], { bigTiff: true }));
      await withSlide(file, async (slide) => {
        expect(slide.info).toMatchObject({ format: 'ome-tiff', vendor: 'ome', magnification: 20, associated: ['label'] });
        expect(slide.info.mppX).toBeCloseTo(mpp, 9);
        expect(slide.info.mppY).toBeCloseTo(mpp, 9);
        await expectLevelsMatch(slide, 0);
        expect(meanAbsDiff(await slide.readAssociated('label'), label)).toBe(0);
      });
    });
  }
});

describe('PNG and JPEG', () => {
  it('reads a PNG exactly, with mpp from its density, and serves scaled reads', async () => {
    const source = patternImage(W, H);
    const file = path.join(dir, 'image.png');
    // 50800 dpi is 0.5 um per pixel.
    await sharp(source.data, { raw: { width: W, height: H, channels: 3 } }).withMetadata({ density: 50800 }).png().toFile(file);
    await withSlide(file, async (slide) => {
      expect(slide.info).toMatchObject({ format: 'png', width: W, height: H, associated: [] });
      expect(slide.info.mppX).toBeCloseTo(0.5, 2);
      expect(meanAbsDiff(await slide.readRegion(300, 200, 256, 256, 0), crop(source, 300, 200, 256, 256))).toBe(0);
      const scaled = await slide.readRegionScaled(0, 0, 250, 185, 4);
      expect(meanAbsDiff(scaled, crop(patternImage(W, H, 4), 0, 0, 250, 185))).toBeLessThanOrEqual(6);
    });
  });

  it('reads a JPEG named .svs by its content', async () => {
    const source = patternImage(W, H);
    const file = path.join(dir, 'actually-a-jpeg.svs');
    await sharp(source.data, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toFile(file);
    await withSlide(file, async (slide) => {
      expect(slide.info).toMatchObject({ format: 'jpeg', mppX: null });
      expect(meanAbsDiff(await slide.readRegion(-10, 600, 256, 256, 0), crop(source, -10, 600, 256, 256))).toBeLessThanOrEqual(2);
    });
  });
});

describe('reading behaviour', () => {
  it('gives the same pixels under concurrent reads, keeps a content fingerprint, and reads at any downsample', async () => {
    const file = await writePyramid(path.join(dir, 'concurrent.tif'), { width: W, height: H, tile: 128, compression: 'deflate' });
    const copy = path.join(dir, 'renamed-copy.tif');
    fs.copyFileSync(file, copy);
    const other = await writePyramid(path.join(dir, 'other.tif'), { width: W, height: H - 2, tile: 128, compression: 'deflate' });
    const source = patternImage(W, H);
    await withSlide(file, async (slide) => {
      const regions = Array.from({ length: 40 }, (_, i) => [(i * 97) % 800, (i * 53) % 600] as const);
      const results = await Promise.all(regions.map(([x, y]) => slide.readRegion(x, y, 224, 224, 0)));
      results.forEach((got, i) => expect(meanAbsDiff(got, crop(source, regions[i]![0], regions[i]![1], 224, 224))).toBe(0));
      const copySlide = await openSlide(copy);
      const otherSlide = await openSlide(other);
      expect(copySlide.fingerprint).toBe(slide.fingerprint);
      expect(otherSlide.fingerprint).not.toBe(slide.fingerprint);
      await copySlide.close();
      await otherSlide.close();
      // Exactly a level's downsample reads that level; in between resamples the finer one.
      expect(meanAbsDiff(await slide.readRegionScaled(0, 0, 100, 100, 2), await slide.readRegion(0, 0, 100, 100, 1))).toBe(0);
      const between = await slide.readRegionScaled(0, 0, 100, 100, 3);
      expect(meanAbsDiff(between, crop(patternImage(W, H, 3), 0, 0, 100, 100))).toBeLessThanOrEqual(6);
    });
  });
});
