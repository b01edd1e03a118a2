import { describe, expect, it } from 'vitest';
import { renderView, viewsFor } from '../../../src-main/core/backbones/augment-views';
import { seededRandom } from '../../../src-main/core/backbones/seeded-random';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';

/** An H&E-looking tile: white background, pink stroma, purple nuclei. */
function heTile(width: number, height: number, seed: number): RgbImage {
  const rand = seededRandom(seed);
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const x = p % width;
    const kind = x < width / 3 ? 'white' : rand() < 0.3 ? 'nucleus' : 'stroma';
    const rgb = kind === 'white' ? [255, 255, 255] : kind === 'nucleus' ? [90, 60, 140] : [230, 150, 190];
    data.set(rgb.map((v) => Math.max(0, Math.min(255, v + Math.round((rand() - 0.5) * 20)))), p * 3);
  }
  return { width, height, data };
}

function pixelKeys(img: RgbImage): string[] {
  const keys: string[] = [];
  for (let p = 0; p < img.width * img.height; p++) keys.push(Array.from(img.data.subarray(p * 3, p * 3 + 3)).join(','));
  return keys.sort();
}

describe('viewsFor', () => {
  it('lists the original first and keeps view numbers the same across modes', () => {
    expect(viewsFor('none')).toEqual([{ view: 0, name: 'original' }]);
    const d4 = viewsFor('d4');
    expect(d4.map((v) => v.view)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(d4.map((v) => v.name)).size).toBe(8);
    expect(viewsFor('stain', 3).map((v) => v.view)).toEqual([0, 8, 9, 10]);
    expect(viewsFor('d4+stain', 2).map((v) => v.view)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => viewsFor('stain', 0)).toThrow(/stain variants/);
  });
});

describe('renderView', () => {
  it('D4 views are exact pixel permutations, all different, with rot90 where expected', () => {
    const tile = heTile(7, 5, 1);
    const seen = new Set<string>();
    for (let view = 0; view < 8; view++) {
      const out = renderView(tile, view, 123);
      expect(out.width * out.height).toBe(35);
      expect(pixelKeys(out)).toEqual(pixelKeys(tile));
      seen.add(`${out.width}x${out.height}:${Buffer.from(out.data).toString('hex')}`);
    }
    expect(seen.size).toBe(8);
    // rot90 (clockwise): the top-left pixel moves to the top-right corner.
    const rot = renderView(tile, 1, 0);
    expect([rot.width, rot.height]).toEqual([5, 7]);
    expect(Array.from(rot.data.subarray((0 * 5 + 4) * 3, (0 * 5 + 4) * 3 + 3))).toEqual(Array.from(tile.data.subarray(0, 3)));
    // Four quarter turns bring the tile back.
    let back = tile;
    for (let i = 0; i < 4; i++) back = renderView(back, 1, 0);
    expect(back.data).toEqual(tile.data);
  });

  it('stain views differ from the original and each other, keep white white-ish, and repeat per seed', () => {
    const tile = heTile(32, 32, 2);
    const views = viewsFor('stain', 4).slice(1);
    const renders = views.map((v) => renderView(tile, v.view, 7));
    for (const r of renders) {
      let changed = 0;
      for (let i = 0; i < r.data.length; i++) if (r.data[i] !== tile.data[i]) changed++;
      expect(changed).toBeGreaterThan(r.data.length / 4);
      // The left third was white (>= 245 after noise): it stays light.
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 10; x++) for (let c = 0; c < 3; c++) expect(r.data[(y * 32 + x) * 3 + c]!).toBeGreaterThan(225);
      }
    }
    const hex = renders.map((r) => Buffer.from(r.data).toString('hex'));
    expect(new Set(hex).size).toBe(4);
    expect(Buffer.from(renderView(tile, 8, 7).data).toString('hex')).toBe(hex[0]);
    expect(Buffer.from(renderView(tile, 8, 8).data).toString('hex')).not.toBe(hex[0]);
  });
});
