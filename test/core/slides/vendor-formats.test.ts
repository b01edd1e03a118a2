import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import type { TileCompression } from '../../fixtures/slide-fixtures';
import { crop, encodeChunks, meanAbsDiff, patternImage, solidImage, stripPage } from '../../fixtures/slide-fixtures';
import type { TiffPage } from '../../fixtures/tiff-writer';
import { writeTiff } from '../../fixtures/tiff-writer';
import { restartMarkerJpeg } from '../../fixtures/ndpi-writer';
import { useTempDir } from '../../helpers/temp-dir';

const W = 1024;
const H = 768;
const SOFTWARE = 305;

/** A tiled page of `image` placed on a white canvas of canvasW x canvasH (vendors pad levels to whole tiles). */
async function tiledPage(image: RgbImage, canvasW: number, canvasH: number, tile: number, compression: TileCompression, extra: Partial<TiffPage> = {}): Promise<TiffPage> {
  const canvas = crop(image, 0, 0, canvasW, canvasH);
  const encoded = await encodeChunks(canvas, tile, tile, compression, { sharedTables: true });
  return {
    width: canvasW, height: canvasH, tile: { width: tile, height: tile }, compression: { jpeg: 7, deflate: 32946, lzw: 5 }[compression as 'jpeg']!, photometric: compression === 'jpeg' ? 6 : 2,
    chunks: encoded.chunks, ...(encoded.jpegTables ? { jpegTables: encoded.jpegTables } : {}), ...extra,
  };
}

function philipsXml(spacings: number[], extra = ''): string {
  const reps = spacings.map((s, i) => `<DataObject ObjectType="PixelDataRepresentation"><Attribute Name="DICOM_PIXEL_SPACING" Group="0x0028" Element="0x0030" PMSVR="IDoubleArray">&quot;${s}&quot; &quot;${s}&quot;</Attribute><Attribute Name="PIIM_PIXEL_DATA_REPRESENTATION_NUMBER" PMSVR="IUInt16">${i}</Attribute></DataObject>`).join('');
  return `<?xml version="1.0" encoding="UTF-8" ?>${extra}<DataObject ObjectType="DPUfsImport"><Attribute Name="DICOM_MANUFACTURER" PMSVR="IString">PHILIPS</Attribute><Attribute Name="PIM_DP_SCANNED_IMAGES" PMSVR="IDataObjectArray"><Array><DataObject ObjectType="DPScannedImage"><Attribute Name="DICOM_PIXEL_SPACING" PMSVR="IDoubleArray">&quot;${spacings[0]}&quot; &quot;${spacings[0]}&quot;</Attribute><Attribute Name="PIM_DP_IMAGE_TYPE" PMSVR="IString">WSI</Attribute><Attribute Name="PIIM_PIXEL_DATA_REPRESENTATION_SEQUENCE" PMSVR="IDataObjectArray"><Array>${reps}</Array></Attribute></DataObject></Array></Attribute></DataObject>`;
}

describe('TIFF-family vendor formats', () => {
  const tempDir = useTempDir();

  it('Philips TIFF: XML levels and pixel spacing, padded levels cut to their true size, label and macro, sparse tiles white', async () => {
    const file = path.join(tempDir(), 'philips.tiff');
    const level0 = patternImage(W, H);
    const level1 = patternImage(W, H, 2);
    const level2 = patternImage(W, H, 4);
    const page0 = await tiledPage(level0, W, H, 128, 'jpeg', { description: philipsXml([0.00025, 0.0005, 0.001]), extraTags: [{ tag: SOFTWARE, type: 2, values: 'Philips DP v1.0' }] });
    // No pixel data for the last tile of level 0 (outside every ROI): TileOffset 0, TileByteCount 0.
    page0.chunks[page0.chunks.length - 1] = new Uint8Array(0);
    fs.writeFileSync(file, writeTiff([
      page0,
      // Levels padded to whole 160 px tiles: 512 x 384 stored as 640 x 480, 256 x 192 as 320 x 320.
      await tiledPage(level1, 640, 480, 160, 'jpeg'),
      await tiledPage(level2, 320, 320, 160, 'jpeg'),
      await stripPage(solidImage(50, 40, [200, 40, 40]), 'jpeg', { description: 'Label' }),
      await stripPage(solidImage(90, 30, [40, 40, 200]), 'jpeg', { description: 'Macro' }),
    ]));
    const slide = await openSlide(file);
    try {
      expect(slide.info).toMatchObject({ format: 'philips-tiff', vendor: 'philips', width: W, height: H, mppX: 0.25, mppY: 0.25, associated: ['label', 'macro'] });
      expect(slide.info.levels.map((l) => [l.width, l.height, l.downsample])).toEqual([[1024, 768, 1], [512, 384, 2], [256, 192, 4]]);
      expect(meanAbsDiff(await slide.readRegion(200, 100, 300, 200, 0), crop(level0, 200, 100, 300, 200))).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readRegion(400, 300, 100, 80, 1), crop(level1, 200, 150, 100, 80))).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readRegion(0, 0, 256, 192, 2), level2)).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readRegion(W - 128, H - 128, 128, 128, 0), solidImage(128, 128, [255, 255, 255]))).toBe(0);
      expect(meanAbsDiff(await slide.readAssociated('label'), solidImage(50, 40, [200, 40, 40]))).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readAssociated('macro'), solidImage(90, 30, [40, 40, 200]))).toBeLessThanOrEqual(4);
    } finally {
      await slide.close();
    }
  });

  it('Philips TIFF: label and macro kept in the XML as Base64 JPEGs (a 300 kB photo included)', async () => {
    const file = path.join(tempDir(), 'philips-base64.tiff');
    const jpegOf = (image: RgbImage): Promise<Buffer> => sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: 100 }).toBuffer();
    const jpeg = async (image: RgbImage): Promise<string> => (await jpegOf(image)).toString('base64');
    // The macro is noise, so its JPEG (and its Base64 text) is far longer than any XML tag.
    const noise = patternImage(600, 300);
    for (let i = 0; i < noise.data.length; i++) noise.data[i] = (i * 2654435761) >>> 24;
    const images = `<DataObject ObjectType="DPScannedImage"><Attribute Name="PIM_DP_IMAGE_TYPE" PMSVR="IString">LABELIMAGE</Attribute><Attribute Name="PIM_DP_IMAGE_DATA" PMSVR="IString">${await jpeg(solidImage(50, 40, [200, 40, 40]))}</Attribute></DataObject><DataObject ObjectType="DPScannedImage"><Attribute Name="PIM_DP_IMAGE_TYPE" PMSVR="IString">MACROIMAGE</Attribute><Attribute Name="PIM_DP_IMAGE_DATA" PMSVR="IString">\n${(await jpeg(noise)).replace(/(.{76})/g, '$1\n')}</Attribute></DataObject>`;
    const xml = philipsXml([0.00025]).replace('</Array></Attribute></DataObject></Array>', `</Array></Attribute></DataObject>${images}</Array>`);
    expect(xml.length).toBeGreaterThan(300_000);
    fs.writeFileSync(file, writeTiff([await tiledPage(patternImage(256, 256), 256, 256, 128, 'deflate', { description: xml, extraTags: [{ tag: SOFTWARE, type: 2, values: 'Philips' }] })]));
    const slide = await openSlide(file);
    try {
      expect(slide.info.associated).toEqual(['label', 'macro']);
      expect(meanAbsDiff(await slide.readAssociated('label'), solidImage(50, 40, [200, 40, 40]))).toBeLessThanOrEqual(2);
      // Noise does not survive JPEG: compare with an independent decode of the same bytes.
      const decoded = await sharp(await jpegOf(noise)).raw().toBuffer({ resolveWithObject: true });
      expect(meanAbsDiff(await slide.readAssociated('macro'), { width: 600, height: 300, data: new Uint8Array(decoded.data) })).toBe(0);
    } finally {
      await slide.close();
    }
  });

  it('Philips TIFF: hostile (entity-declaring) or unparseable XML is a one-line error', async () => {
    const dir = tempDir();
    const base = await tiledPage(patternImage(256, 256), 256, 256, 128, 'deflate');
    const software = [{ tag: SOFTWARE, type: 2, values: 'Philips' }];
    const lol = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>';
    const hostile = path.join(dir, 'hostile.tiff');
    fs.writeFileSync(hostile, writeTiff([{ ...base, description: philipsXml([0.00025], lol), extraTags: software }]));
    await expect(openSlide(hostile)).rejects.toThrow(`${hostile}: Philips ImageDescription XML declares entities, which a scanner never writes (refused as hostile)`);
    const broken = path.join(dir, 'broken.tiff');
    fs.writeFileSync(broken, writeTiff([{ ...base, description: philipsXml([0.00025]).replace('</Array></Attribute></DataObject></Array>', '</Array>'), extraTags: software }]));
    await expect(openSlide(broken)).rejects.toThrow(`${broken}: Philips ImageDescription XML cannot be parsed`);
  });

  it('Leica SCN: the XML collection gives the main image levels, the macro, the objective; mpp from the resolution tags', async () => {
    const file = path.join(tempDir(), 'slide.scn');
    const level0 = patternImage(W, H);
    const level1 = patternImage(W, H, 4);
    const xml = `<?xml version="1.0"?><scn xmlns="http://www.leica-microsystems.com/scn/2010/10/01"><collection name="c" sizeX="30000000" sizeY="10000000" barcode="QkM=">
<image name="macro"><pixels sizeX="300" sizeY="100"><dimension sizeX="300" sizeY="100" r="0" ifd="2"/></pixels><view sizeX="30000000" sizeY="10000000" offsetX="0" offsetY="0"/></image>
<image name="main"><device model="Leica SCN400" version="1.5"/><pixels sizeX="${W}" sizeY="${H}"><dimension sizeX="${W}" sizeY="${H}" r="0" ifd="0"/><dimension sizeX="256" sizeY="192" r="1" ifd="1"/><dimension sizeX="${W}" sizeY="${H}" r="0" z="1" ifd="3"/></pixels>
<view sizeX="256000" sizeY="192000" offsetX="1000000" offsetY="2000000"/><scanSettings><objectiveSettings><objective>20</objective></objectiveSettings></scanSettings></image></collection></scn>`;
    const macro = solidImage(300, 100, [90, 160, 90]);
    fs.writeFileSync(file, writeTiff([
      await tiledPage(level0, W, H, 256, 'jpeg', { description: xml, resolution: { x: 40000, y: 40000, unit: 3 } }),
      await tiledPage(level1, 256, 192, 256, 'jpeg'),
      await tiledPage(macro, 300, 100, 128, 'jpeg'),
      // Focal plane 1 of level 0: ignored.
      await tiledPage(solidImage(W, H, [0, 0, 0]), W, H, 256, 'jpeg'),
    ], { bigTiff: true }));
    const slide = await openSlide(file);
    try {
      expect(slide.info).toMatchObject({ format: 'scn', vendor: 'leica', width: W, height: H, mppX: 0.25, mppY: 0.25, magnification: 20, associated: ['macro'] });
      expect(slide.info.levels.map((l) => [l.width, l.height])).toEqual([[W, H], [256, 192]]);
      expect(meanAbsDiff(await slide.readRegion(300, 200, 256, 256, 0), crop(level0, 300, 200, 256, 256))).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readRegion(0, 0, 256, 192, 1), level1)).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readAssociated('macro'), macro)).toBeLessThanOrEqual(4);
    } finally {
      await slide.close();
    }
    const bad = path.join(tempDir(), 'bad.scn');
    fs.writeFileSync(bad, writeTiff([await tiledPage(level1, 256, 192, 256, 'jpeg', { description: xml.replace('ifd="1"', 'ifd="9"') })], { bigTiff: true }));
    await expect(openSlide(bad)).rejects.toThrow(/bad\.scn: Leica XML points at TIFF directory \d, which the file does not have$/);
  });

  it('Leica SCN with several regions: composited at their view offsets over the whole collection, as OpenSlide does', async () => {
    const file = path.join(tempDir(), 'regions.scn');
    const a = patternImage(512, 384);
    const b = solidImage(256, 256, [30, 150, 60]);
    // 250 nm per pixel: a 1 mm x 0.5 mm collection is 4000 x 2000 pixels; region A at (400, 200), B at (2400, 800).
    const region = (name: string, w: number, h: number, ifd0: number, x: number, y: number) => `<image name="${name}"><pixels sizeX="${w}" sizeY="${h}"><dimension sizeX="${w}" sizeY="${h}" r="0" ifd="${ifd0}"/><dimension sizeX="${w / 2}" sizeY="${h / 2}" r="1" ifd="${ifd0 + 1}"/></pixels><view sizeX="${w * 250}" sizeY="${h * 250}" offsetX="${x * 250}" offsetY="${y * 250}"/></image>`;
    const xml = `<?xml version="1.0"?><scn xmlns="http://www.leica-microsystems.com/scn/2010/10/01"><collection name="c" sizeX="1000000" sizeY="500000">${region('A', 512, 384, 0, 400, 200)}${region('B', 256, 256, 2, 2400, 800)}</collection></scn>`;
    fs.writeFileSync(file, writeTiff([
      await tiledPage(a, 512, 384, 128, 'deflate', { description: xml }),
      await tiledPage(patternImage(512, 384, 2), 256, 192, 128, 'deflate'),
      await tiledPage(b, 256, 256, 128, 'deflate'),
      await tiledPage(solidImage(128, 128, [30, 150, 60]), 128, 128, 128, 'deflate'),
    ], { bigTiff: true }));
    const slide = await openSlide(file);
    try {
      expect(slide.info).toMatchObject({ width: 4000, height: 2000, mppX: 0.25 });
      expect(slide.info.levels.map((l) => [l.width, l.height, l.downsample])).toEqual([[4000, 2000, 1], [2000, 1000, 2]]);
      expect(meanAbsDiff(await slide.readRegion(400, 200, 512, 384, 0), a)).toBe(0);
      expect(meanAbsDiff(await slide.readRegion(2400, 800, 256, 256, 0), b)).toBe(0);
      // Straddling region A's top-left corner: white outside it.
      const expected = solidImage(200, 100, [255, 255, 255]);
      const inside = crop(a, 0, 0, 100, 50);
      for (let y = 0; y < 50; y++) expected.data.set(inside.data.subarray(y * 300, (y + 1) * 300), ((50 + y) * 200 + 100) * 3);
      expect(meanAbsDiff(await slide.readRegion(300, 150, 200, 100, 0), expected)).toBe(0);
      expect(meanAbsDiff(await slide.readRegion(400, 200, 256, 192, 1), patternImage(512, 384, 2))).toBe(0);
      expect(meanAbsDiff(await slide.readRegion(2400, 800, 128, 128, 1), solidImage(128, 128, [30, 150, 60]))).toBe(0);
    } finally {
      await slide.close();
    }
  });

  it('Hamamatsu NDPI: restart-interval tiles of one JPEG per level, SourceLens levels and macro, mpp from the resolution tags', async () => {
    const dir = tempDir();
    const level0 = patternImage(512, 384);
    const level1 = patternImage(512, 384, 4);
    const page = async (image: RgbImage, lens: number, restart: boolean, extra: Partial<TiffPage> = {}): Promise<TiffPage> => {
      const encoded = restart ? await restartMarkerJpeg(image, 8) : { jpeg: new Uint8Array(await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer()), mcuStarts: [] };
      return {
        width: image.width, height: image.height, rowsPerStrip: image.height, compression: 7, photometric: 6, chunks: [encoded.jpeg],
        resolution: { x: 40000, y: 40000, unit: 3 },
        extraTags: [
          { tag: 65420, type: 4, values: [1] },
          { tag: 65421, type: 11, values: [lens] },
          ...(restart ? [{ tag: 65426, type: 4, values: encoded.mcuStarts }] : []),
        ],
        ...extra,
      };
    };
    const macro = solidImage(96, 40, [60, 120, 200]);
    const pages = [await page(level0, 20, true), await page(level1, 5, false), await page(macro, -1, false)];
    const file = path.join(dir, 'slide.ndpi');
    fs.writeFileSync(file, writeTiff(pages, { ndpi: true }));
    const slide = await openSlide(file);
    try {
      expect(slide.info).toMatchObject({ format: 'ndpi', vendor: 'hamamatsu', width: 512, height: 384, mppX: 0.25, mppY: 0.25, magnification: 20, associated: ['macro'] });
      // Level 0 is read in 64 x 8 restart intervals.
      expect(slide.info.levels.map((l) => [l.width, l.height, l.tileWidth, l.tileHeight])).toEqual([[512, 384, 64, 8], [128, 96, 128, 96]]);
      expect(meanAbsDiff(await slide.readRegion(100, 50, 300, 200, 0), crop(level0, 100, 50, 300, 200))).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readRegion(0, 0, 128, 96, 1), level1)).toBeLessThanOrEqual(4);
      expect(meanAbsDiff(await slide.readAssociated('macro'), macro)).toBeLessThanOrEqual(4);
    } finally {
      await slide.close();
    }

    // The high 32 bits NDPI keeps after each IFD put the level's JPEG past the end of the file.
    const far = path.join(dir, 'far.ndpi');
    fs.writeFileSync(far, writeTiff([{ ...pages[0]!, ndpiHighBits: { 273: 1 } }, pages[2]!], { ndpi: true }));
    await expect(openSlide(far)).rejects.toThrow(/far\.ndpi: strip 0 of image 0 lies past the end of the file \(bytes 4294967\d+\.\.\d+ of \d+; truncated file\?\)$/);
  });
});
