import { describe, expect, it } from 'vitest';
import { buildJpegStream } from '../../../src-main/core/slides/codecs/jpeg';
import { decodeLzw, decodePackBits } from '../../../src-main/core/slides/codecs/lzw';
import { aperioMetadata } from '../../../src-main/core/slides/vendors/aperio';
import { omeImages } from '../../../src-main/core/slides/vendors/ome-tiff';
import { tiffResolutionMpp } from '../../../src-main/core/slides/vendors/resolution';
import { TileCache } from '../../../src-main/core/slides/tile-cache';
import { encodeLzw } from '../../fixtures/tiff-writer';

describe('LZW', () => {
  it('round-trips random, repetitive and long inputs (table resets, code widths 9 to 12)', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 255;
    const inputs = [
      new Uint8Array(0),
      new Uint8Array([1]),
      new Uint8Array(100_000).fill(9),
      Uint8Array.from({ length: 200_000 }, () => rand()),
      Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251 ^ (i >> 10)),
    ];
    for (const input of inputs) {
      expect(Buffer.compare(Buffer.from(decodeLzw(encodeLzw(input), input.length)), Buffer.from(input))).toBe(0);
    }
  });

  it('never writes past the expected size', () => {
    const input = new Uint8Array(10_000).fill(3);
    expect(decodeLzw(encodeLzw(input), 100)).toHaveLength(100);
  });

  it('rejects a code used before it is defined', () => {
    // Clear (256) then code 300 with 9 bits.
    expect(() => decodeLzw(new Uint8Array([0x80, 0x4b, 0x00, 0x00]), 100)).toThrow(/corrupt LZW/);
  });

  it('PackBits', () => {
    expect(Array.from(decodePackBits(new Uint8Array([2, 1, 2, 3, 0xfe, 7]), 10))).toEqual([1, 2, 3, 7, 7, 7]);
  });
});

describe('JPEG stream assembly', () => {
  it('splices tables and states the colour transform the TIFF declares', () => {
    const tables = new Uint8Array([0xff, 0xd8, 0xff, 0xdb, 0, 3, 9, 0xff, 0xd9]);
    const tile = new Uint8Array([0xff, 0xd8, 0xff, 0xda, 1, 2, 0xff, 0xd9]);
    const rgb = buildJpegStream(tile, tables, 2);
    expect(Array.from(rgb.subarray(0, 4))).toEqual([0xff, 0xd8, 0xff, 0xee]);
    expect(rgb[17]).toBe(0); // Adobe transform 0: RGB, no YCbCr conversion
    expect(Array.from(rgb.subarray(18, 23))).toEqual([0xff, 0xdb, 0, 3, 9]);
    expect(Array.from(rgb.subarray(23))).toEqual([0xff, 0xda, 1, 2, 0xff, 0xd9]);
    expect(buildJpegStream(tile, tables, 6)[17]).toBe(1);
    expect(() => buildJpegStream(new Uint8Array([1, 2, 3, 4]), null, 2)).toThrow(/not a JPEG/);
  });
});

describe('metadata', () => {
  it('reads Aperio MPP and AppMag', () => {
    expect(aperioMetadata('Aperio Image Library v10.0.50\r\n2220x2967 [0,100 2220x2967] (240x240) JPEG/RGB Q=30|AppMag = 20|MPP = 0.4990')).toEqual({ mpp: 0.499, magnification: 20 });
    expect(aperioMetadata('Aperio Image Library|AppMag = x')).toEqual({ mpp: null, magnification: null });
  });

  it('reads OME physical sizes in any length unit', () => {
    const xml = '<OME><Image ID="Image:0" Name="a"><Pixels PhysicalSizeX="0.00025" PhysicalSizeXUnit="mm" PhysicalSizeY="0.5"><TiffData/></Pixels></Image></OME>';
    expect(omeImages(xml)).toEqual([{ name: 'a', firstIfd: 0, mppX: 0.25, mppY: 0.5, magnification: null }]);
  });

  it('parses hostile OME-XML in linear time', () => {
    const started = Date.now();
    omeImages('<OME>' + '<Image Name="x" '.repeat(200_000));
    omeImages('<OME>' + '<Objective <Image a="'.repeat(200_000) + '>');
    omeImages('<Image ' + 'a'.repeat(60_000) + '>' + '<Pixels ' + 'b=b'.repeat(20_000) + '>');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('converts TIFF resolutions and ignores non-microscopy ones', () => {
    expect(tiffResolutionMpp(20000, 20000, 3)).toEqual({ mppX: 0.5, mppY: 0.5 });
    expect(tiffResolutionMpp(72, 72, 2)).toEqual({ mppX: null, mppY: null });
    expect(tiffResolutionMpp(20000, 20000, 1)).toEqual({ mppX: null, mppY: null });
  });
});

describe('TileCache', () => {
  it('evicts least recently used tiles past its byte budget and shares in-flight loads', async () => {
    const cache = new TileCache(300);
    let loads = 0;
    const tile = (): Promise<{ width: number; height: number; data: Uint8Array }> => {
      loads++;
      return Promise.resolve({ width: 10, height: 10, data: new Uint8Array(100) });
    };
    await Promise.all([cache.get('a', tile), cache.get('a', tile)]);
    expect(loads).toBe(1);
    await cache.get('b', tile);
    await cache.get('c', tile);
    await cache.get('a', tile); // a is now the most recent
    await cache.get('d', tile); // evicts b
    expect(cache.usedBytes).toBeLessThanOrEqual(300);
    await cache.get('a', tile);
    expect(loads).toBe(4);
    await cache.get('b', tile);
    expect(loads).toBe(5);
  });
});
