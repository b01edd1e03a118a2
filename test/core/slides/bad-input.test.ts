import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoError } from '../../../src-main/core/errors';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import { fixtureDir, pyramidPages, writePyramid, writeTiff } from '../../fixtures/slide-fixtures';
import type { TiffPage } from '../../fixtures/tiff-writer';

let dir: string;
beforeAll(() => {
  dir = fixtureDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Expects opening (and, when `read` is set, reading) to fail fast with a BAD_INPUT naming the file. */
async function expectBad(file: string, pattern: RegExp, read?: boolean): Promise<void> {
  const started = Date.now();
  const attempt = async (): Promise<void> => {
    const slide = await openSlide(file);
    try {
      if (read) {
        const level0 = slide.info.levels[0]!;
        await slide.readRegion(0, 0, Math.min(level0.width, 512), Math.min(level0.height, 512), 0);
      }
    } finally {
      await slide.close();
    }
  };
  const err = await attempt().then(() => null, (e: unknown) => e);
  expect(err, 'expected an error').toBeInstanceOf(HistoError);
  const histo = err as HistoError;
  expect(histo.code).toBe('BAD_INPUT');
  expect(histo.message.startsWith(`${file}: `), histo.message).toBe(true);
  expect(histo.message).toMatch(pattern);
  expect(Date.now() - started).toBeLessThan(5000);
}

async function smallPages(compression: 'deflate' | 'jpeg' | 'lzw' = 'deflate'): Promise<TiffPage[]> {
  return pyramidPages({ width: 300, height: 200, tile: 128, compression, downsamples: [1, 2] });
}

function write(name: string, data: Uint8Array | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

describe('bad input gives a clear HistoError in bounded time', () => {
  it('a missing file is NOT_FOUND', async () => {
    const file = path.join(dir, 'nope.svs');
    await expect(openSlide(file)).rejects.toMatchObject({ code: 'NOT_FOUND', message: `${file}: no such file` });
  });

  it('an empty file', async () => {
    await expectBad(write('empty.svs', ''), /is empty/);
  });

  it('a text file named .svs', async () => {
    await expectBad(write('notes.svs', 'this is not a slide\n'.repeat(50)), /not a supported slide format/);
  });

  it('a truncated TIFF header', async () => {
    await expectBad(write('header.tif', new Uint8Array([0x49, 0x49, 42, 0, 8, 0])), /not a TIFF file|truncated|past the end/);
  });

  it('a file cut off in the middle', async () => {
    const whole = writeTiff(await smallPages());
    // Keep the header: the first IFD now points past the end.
    await expectBad(write('cut.tif', whole.subarray(0, Math.floor(whole.length * 0.6))), /past the end of the file|outside the file/);
  });

  it('a file cut short after the slide was opened: the tile read fails naming the tile, and the slide still closes', async () => {
    const file = write('shrunk.tif', writeTiff(await smallPages()));
    const slide = await openSlide(file);
    try {
      fs.truncateSync(file, 16);
      await expect(slide.readRegion(0, 0, 256, 128, 0)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: tile \\d+ of level 0 cannot be read: unexpected end of file$`));
    } finally {
      await slide.close();
    }
  });

  it('an IFD pointing at itself', async () => {
    const data = writeTiff(await smallPages());
    const first = data.readUInt32LE(4);
    const entries = data.readUInt16LE(first);
    data.writeUInt32LE(first, first + 2 + entries * 12);
    await expectBad(write('loop.tif', data), /IFD loop/);
  });

  it('an IFD chain looping back two pages', async () => {
    const pages = await smallPages();
    const data = writeTiff([...pages, ...pages.map((p) => ({ ...p }))]);
    const first = data.readUInt32LE(4);
    // Walk to the last IFD and point it back at the first.
    let at = first;
    for (;;) {
      const next = data.readUInt32LE(at + 2 + data.readUInt16LE(at) * 12);
      if (next === 0) break;
      at = next;
    }
    data.writeUInt32LE(first, at + 2 + data.readUInt16LE(at) * 12);
    await expectBad(write('loop2.tif', data), /IFD loop/);
  });

  it('absurd dimensions', async () => {
    const [page] = await smallPages();
    const data = writeTiff([{ ...page!, extraTags: [{ tag: 256, type: 4, values: [4_000_000_000] }] }]);
    await expectBad(write('huge.tif', data), /claims a width of 4000000000/);
  });

  it('absurd tile counts', async () => {
    const [page] = await smallPages();
    const data = writeTiff([{ ...page!, extraTags: [{ tag: 256, type: 4, values: [2_000_000] }, { tag: 257, type: 4, values: [2_000_000] }, { tag: 322, type: 3, values: [16] }, { tag: 323, type: 3, values: [16] }] }]);
    await expectBad(write('tiles.tif', data), /claims \d+ tiles/);
  });

  it('a tile table shorter than the image needs', async () => {
    const [page] = await smallPages();
    const data = writeTiff([{ ...page!, extraTags: [{ tag: 257, type: 4, values: [2000] }] }]);
    await expectBad(write('short-table.tif', data), /needs \d+ tiles, but its tile table lists \d+/);
  });

  it('a tag claiming more values than the file holds', async () => {
    const data = writeTiff(await smallPages());
    const first = data.readUInt32LE(4);
    const entries = data.readUInt16LE(first);
    for (let i = 0; i < entries; i++) {
      const at = first + 2 + i * 12;
      if (data.readUInt16LE(at) === 324) data.writeUInt32LE(0x3fffffff, at + 4);
    }
    await expectBad(write('count.tif', data), /tag 324 claims \d+ values/);
  });

  it('tile offsets past the end of the file', async () => {
    const [page] = await smallPages();
    const offsets = [10_000_000, 8, 8, 8, 8, 8];
    const data = writeTiff([{ ...page!, extraTags: [{ tag: 324, type: 4, values: offsets }] }]);
    await expectBad(write('offsets.tif', data), /tile 0 of image 0 lies past the end of the file/);
  });

  it('tile byte counts past the end of the file', async () => {
    const [page] = await smallPages();
    const data = writeTiff([{ ...page!, extraTags: [{ tag: 325, type: 4, values: [1 << 27, 10, 10, 10, 10, 10] }] }]);
    await expectBad(write('counts.tif', data), /past the end of the file/);
  });

  it('unsupported compression', async () => {
    const [page] = await smallPages();
    await expectBad(write('zstd.tif', writeTiff([{ ...page!, compression: 50000 }])), /unsupported compression Zstandard/);
    await expectBad(write('ccitt.tif', writeTiff([{ ...page!, compression: 4 }])), /unsupported compression CCITT G4/);
  });

  it('16-bit samples', async () => {
    const [page] = await smallPages();
    await expectBad(write('16bit.tif', writeTiff([{ ...page!, extraTags: [{ tag: 258, type: 3, values: [16, 16, 16] }] }])), /16\/16\/16 bits per sample/);
  });

  it('garbage in a JPEG tile fails the read, naming the tile', async () => {
    const [page] = await smallPages('jpeg');
    const chunks = page!.chunks.slice();
    chunks[0] = new Uint8Array([0xff, 0xd8, ...new Uint8Array(200).fill(0x42), 0xff, 0xd9]);
    await expectBad(write('badjpeg.tif', writeTiff([{ ...page!, chunks }])), /tile 0 of level 0 cannot be decoded/, true);
  });

  it('a Deflate tile that expands far past its tile size (decompression bomb)', async () => {
    const [page] = await smallPages();
    const chunks = page!.chunks.slice();
    chunks[0] = new Uint8Array(zlib.deflateSync(new Uint8Array(50_000_000)));
    await expectBad(write('bomb.tif', writeTiff([{ ...page!, chunks }])), /tile 0 of level 0 cannot be decoded: Deflate data expands/, true);
  });

  it('a JPEG 2000 tile claiming another size', async () => {
    const pages = await pyramidPages({ width: 256, height: 256, tile: 128, compression: 'j2k-rgb', downsamples: [1] });
    const page = pages[0]!;
    const other = (await pyramidPages({ width: 64, height: 64, tile: 64, compression: 'j2k-rgb', downsamples: [1] }))[0]!;
    const chunks = page.chunks.slice();
    chunks[0] = other.chunks[0]!;
    await expectBad(write('j2k-size.tif', writeTiff([{ ...page, chunks }])), /JPEG 2000 tile is 64x64, expected 128x128/, true);
  });

  it('a region request that is too large or malformed', async () => {
    const file = await writePyramid(path.join(dir, 'ok.tif'), { width: 300, height: 200, tile: 128, compression: 'deflate', downsamples: [1] });
    const slide = await openSlide(file);
    try {
      await expect(slide.readRegion(0, 0, 100_000, 100_000, 0)).rejects.toThrow(/larger than the limit/);
      await expect(slide.readRegion(0, 0, 10, 10, 3)).rejects.toThrow(/level 3 does not exist/);
      await expect(slide.readRegion(0, 0, 0, 10, 0)).rejects.toThrow(/invalid region/);
      await expect(slide.readAssociated('macro')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await slide.close();
    }
    await expect(slide.readRegion(0, 0, 10, 10, 0)).rejects.toThrow(/closed/);
    await expect(openSlide(file, { mppOverride: -1 })).rejects.toThrow(/mpp override -1/);
  });
});
