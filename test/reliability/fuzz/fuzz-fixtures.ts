/**
 * The seed corpus of the slide fuzzer: small generated slides of every layout the readers know
 * (tiled JPEG with JPEGTables, LZW + predictor, stripped Deflate BigTIFF, SVS with thumbnail,
 * label and macro, OME with SubIFDs, Aperio JPEG 2000, Philips TIFF, Leica SCN, Hamamatsu NDPI, Ventana
 * BIF, DICOM WSI (JPEG, sparse JPEG 2000, native), MIRAX (its Slidedat.ini, Index.dat and data file
 * each mutated in turn), PNG, JPEG) plus the real CMU-1-Small-Region.svs.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { nodeRequire } from '../../../src-main/core/node-require';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';
import { encodeChunks, patternImage, pyramidPages, solidImage, stripPage, writeTiff } from '../../fixtures/slide-fixtures';
import type { TiffPage } from '../../fixtures/tiff-writer';
import type { DicomInstanceSpec } from '../../fixtures/dicom-writer';
import { writeDicomInstance } from '../../fixtures/dicom-writer';
import { writeMirax } from '../../fixtures/mirax-writer';
import { restartMarkerJpeg } from '../../fixtures/ndpi-writer';
import { writeBif } from '../../fixtures/ventana-writer';

export interface FuzzFixture {
  name: string;
  /** The bytes a case mutates. */
  file: string;
  /** Relative weight when drawing a fixture for a case. */
  weight: number;
  /**
   * For a slide of several files (MIRAX): the folder holding all of them, the mutated file's path
   * in it, and the path in it that is opened. A case copies the folder once and rewrites that file.
   */
  part?: { folder: string; file: string; open: string };
}

const W = 256;
const H = 192;
const APERIO = `Aperio Image Library v12.0.5\r\n${W}x${H} [0,0 ${W}x${H}] (64x64) JPEG/RGB Q=90|AppMag = 40|MPP = 0.2520`;
const OME = `<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">
<Instrument ID="Instrument:0"><Objective ID="Objective:0" NominalMagnification="20"/></Instrument>
<Image ID="Image:0" Name="slide"><ObjectiveSettings ID="Objective:0"/><Pixels ID="Pixels:0" DimensionOrder="XYCZT" SizeC="3" SizeT="1" SizeX="${W}" SizeY="${H}" SizeZ="1" Type="uint8" PhysicalSizeX="0.5" PhysicalSizeXUnit="µm" PhysicalSizeY="0.5" PhysicalSizeYUnit="µm"><TiffData IFD="0"/></Pixels></Image>
<Image ID="Image:1" Name="label"><Pixels ID="Pixels:1" DimensionOrder="XYCZT" SizeC="3" SizeT="1" SizeX="40" SizeY="30" SizeZ="1" Type="uint8"><TiffData IFD="1"/></Pixels></Image></OME>`;

async function encodeJ2kTiles(image: RgbImage, tile: number): Promise<Uint8Array[]> {
  const factory = nodeRequire('@cornerstonejs/codec-openjpeg/wasmjs') as (o: object) => Promise<{ J2KEncoder: new () => any }>;
  const mod = await factory({ print: () => {}, printErr: () => {} });
  const raw = await encodeChunks(image, tile, tile, 'none');
  return raw.chunks.map((chunk) => {
    const encoder = new mod.J2KEncoder();
    encoder.getDecodedBuffer({ width: tile, height: tile, bitsPerSample: 8, componentCount: 3, isSigned: false, isUsingColorTransform: true }).set(chunk);
    encoder.encode();
    return encoder.getEncodedBuffer().slice() as Uint8Array;
  });
}

export async function buildFuzzFixtures(dir: string, repoRoot: string): Promise<FuzzFixture[]> {
  fs.mkdirSync(dir, { recursive: true });
  const out: FuzzFixture[] = [];
  const put = (name: string, data: Uint8Array, weight = 2): void => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, data);
    out.push({ name, file, weight });
  };
  put('tiled-jpeg.tif', writeTiff(await pyramidPages({ width: W, height: H, tile: 64, compression: 'jpeg', downsamples: [1, 2, 4], sharedTables: true })));
  put('tiled-lzw-predictor.tif', writeTiff(await pyramidPages({ width: W, height: H, tile: 64, compression: 'lzw', downsamples: [1, 2], predictor: true })));
  put('strips-deflate.btf', writeTiff(await pyramidPages({ width: W, height: H, tile: 64, compression: 'deflate', downsamples: [1, 2], stripRows: 32, bigTiff: true }), { bigTiff: true }));
  put('tiled-none.tif', writeTiff(await pyramidPages({ width: 128, height: 96, tile: 32, compression: 'none', downsamples: [1, 2] })));

  const [l0, l1] = await pyramidPages({ width: W, height: H, tile: 64, compression: 'jpeg', downsamples: [1, 2], description: APERIO });
  put('aperio-jpeg.svs', writeTiff([
    l0!,
    await stripPage(patternImage(W, H, 4), 'lzw', { description: `Aperio Image Library v12.0.5\r\n${W}x${H} -> 64x48 - |AppMag = 40|MPP = 0.2520` }),
    l1!,
    await stripPage(solidImage(40, 30, [250, 20, 20]), 'lzw', { description: 'Aperio Image Library v12.0.5\r\nlabel 40x30', newSubfileType: 1 }),
    await stripPage(solidImage(80, 24, [20, 20, 250]), 'jpeg', { description: 'Aperio Image Library v12.0.5\r\nmacro 80x24', newSubfileType: 9 }),
  ]));

  const ome = await pyramidPages({ width: W, height: H, tile: 64, compression: 'lzw', downsamples: [1, 2, 4], subIfds: true, bigTiff: true, description: OME });
  put('ome-subifds.ome.tif', writeTiff([...ome, await stripPage(solidImage(40, 30, [10, 200, 10]), 'deflate')], { bigTiff: true }));

  const j2kPages: TiffPage[] = [];
  for (const ds of [1, 2]) {
    const image = patternImage(128, 128, ds);
    j2kPages.push({ width: image.width, height: image.height, tile: { width: 64, height: 64 }, compression: 33005, photometric: 2, chunks: await encodeJ2kTiles(image, 64), ...(ds === 1 ? { description: APERIO.replace(`${W}x${H}`, '128x128') } : { newSubfileType: 1 }) });
  }
  put('aperio-j2k.svs', writeTiff(j2kPages));

  const small = patternImage(64, 48);
  put('image.png', new Uint8Array(await sharp(small.data, { raw: { width: 64, height: 48, channels: 3 } }).png().toBuffer()), 1);
  put('image.jpg', new Uint8Array(await sharp(small.data, { raw: { width: 64, height: 48, channels: 3 } }).jpeg().toBuffer()), 1);

  // TIFF-family vendors: Philips XML, Leica SCN collection, NDPI restart-marker JPEG with 64-bit offset extensions.
  const philipsXml = `<?xml version="1.0"?><DataObject ObjectType="DPUfsImport"><Attribute Name="PIM_DP_SCANNED_IMAGES"><Array><DataObject ObjectType="DPScannedImage"><Attribute Name="DICOM_PIXEL_SPACING">&quot;0.00025&quot; &quot;0.00025&quot;</Attribute><Attribute Name="PIM_DP_IMAGE_TYPE">WSI</Attribute><Attribute Name="PIIM_PIXEL_DATA_REPRESENTATION_SEQUENCE"><Array><DataObject ObjectType="PixelDataRepresentation"><Attribute Name="DICOM_PIXEL_SPACING">&quot;0.00025&quot; &quot;0.00025&quot;</Attribute></DataObject><DataObject ObjectType="PixelDataRepresentation"><Attribute Name="DICOM_PIXEL_SPACING">&quot;0.0005&quot; &quot;0.0005&quot;</Attribute></DataObject></Array></Attribute></DataObject></Array></Attribute></DataObject>`;
  const philipsPages = await pyramidPages({ width: W, height: H, tile: 64, compression: 'jpeg', downsamples: [1, 2], description: philipsXml, extraTags: [{ tag: 305, type: 2, values: 'Philips' }] });
  put('philips.tiff', writeTiff([...philipsPages, await stripPage(solidImage(40, 30, [200, 30, 30]), 'jpeg', { description: 'Label' })]));
  const scnXml = `<?xml version="1.0"?><scn xmlns="http://www.leica-microsystems.com/scn/2010/10/01"><collection sizeX="1000" sizeY="1000"><image><pixels><dimension sizeX="40" sizeY="30" r="0" ifd="2"/></pixels><view sizeX="1000" sizeY="1000" offsetX="0" offsetY="0"/></image><image><pixels><dimension sizeX="${W}" sizeY="${H}" r="0" ifd="0"/><dimension sizeX="${W / 2}" sizeY="${H / 2}" r="1" ifd="1"/></pixels><view sizeX="64000" sizeY="48000" offsetX="10" offsetY="10"/><scanSettings><objectiveSettings><objective>20</objective></objectiveSettings></scanSettings></image></collection></scn>`;
  const scnPages = await pyramidPages({ width: W, height: H, tile: 64, compression: 'jpeg', downsamples: [1, 2], description: scnXml, bigTiff: true });
  const scnMacro = await pyramidPages({ width: 40, height: 30, tile: 32, compression: 'jpeg', downsamples: [1] });
  put('leica.scn', writeTiff([...scnPages, ...scnMacro], { bigTiff: true }));
  const ndpiLevel = await restartMarkerJpeg(patternImage(128, 96), 4);
  const ndpiTags = (lens: number) => [{ tag: 65420, type: 4, values: [1] }, { tag: 65421, type: 11, values: [lens] }];
  put('hamamatsu.ndpi', writeTiff([
    { width: 128, height: 96, rowsPerStrip: 96, compression: 7, photometric: 6, chunks: [ndpiLevel.jpeg], resolution: { x: 40000, y: 40000, unit: 3 }, extraTags: [...ndpiTags(20), { tag: 65426, type: 4, values: ndpiLevel.mcuStarts }] },
    { ...(await stripPage(solidImage(48, 24, [30, 30, 200]), 'jpeg')), extraTags: ndpiTags(-1) },
  ], { ndpi: true }));

  // DICOM WSI: one instance each (distinct series, so a case file never joins another's series).
  const dicom = async (name: string, spec: Omit<DicomInstanceSpec, 'seriesUid' | 'instanceUid' | 'image' | 'tile'>, series: number): Promise<void> => {
    const file = path.join(dir, name);
    await writeDicomInstance(file, { seriesUid: `1.2.826.0.1.3680043.9.7433.9.${series}`, instanceUid: `1.2.826.0.1.3680043.9.7433.9.${series}.1`, image: patternImage(128, 96), tile: 64, ...spec });
    out.push({ name, file, weight: 2 });
  };
  await dicom('dicom-jpeg.dcm', { codec: 'jpeg' }, 1);
  await dicom('dicom-j2k-sparse.dcm', { codec: 'j2k', sparseTiles: [[0, 0], [1, 1], [0, 1]] }, 2);
  await dicom('dicom-native.dcm', { codec: 'native' }, 3);

  // Ventana BIF: two overlapping areas of camera tiles, two levels.
  put('ventana.bif', await writeBif({
    source: patternImage(W, H), tile: 64, overlapX: 8, overlapY: 4, tilesAcross: 5, tilesDown: 3, withLevel1: true,
    areas: [{ startCol: 0, startRow: 0, cols: 2, rows: 3, x: 0, y: 0 }, { startCol: 3, startRow: 0, cols: 2, rows: 2, x: 130, y: 20 }],
  }));

  // MIRAX: a slide folder whose three kinds of file are each a fuzz target.
  const miraxDir = path.join(dir, 'mirax');
  await writeMirax(miraxDir, 'slide', {
    source: patternImage(W, W), imagesX: 4, imagesY: 4, divisions: 2, imageSize: 32, overlap: 8, formats: ['JPEG', 'PNG', 'BMP24'],
    positions: [[0, 0], [56, 2], [2, 56], [58, 58]], associated: true,
  });
  for (const part of ['Index.dat', 'Slidedat.ini', 'Data0000.dat']) {
    out.push({ name: `mirax-${part}`, file: path.join(miraxDir, 'slide', part), weight: 2, part: { folder: miraxDir, file: path.join('slide', part), open: 'slide.mrxs' } });
  }

  const real = path.join(repoRoot, 'test', 'fixtures', 'CMU-1-Small-Region.svs');
  if (fs.existsSync(real)) out.push({ name: 'CMU-1-Small-Region.svs', file: real, weight: 1 });
  return out;
}
