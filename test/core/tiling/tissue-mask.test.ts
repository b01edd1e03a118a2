import { describe, expect, it } from 'vitest';
import { otsuThreshold } from '../../../src-main/core/tiling/otsu';
import { detectTissue } from '../../../src-main/core/tiling/tissue-mask';
import type { RgbImage } from '../../../src-main/core/slides/slide-source';

function canvas(width: number, height: number, fill: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(fill, p * 3);
  return { width, height, data };
}

function paint(image: RgbImage, x0: number, y0: number, x1: number, y1: number, rgb: [number, number, number]): void {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) image.data.set(rgb, (y * image.width + x) * 3);
}

const count = (mask: Uint8Array, predicate: (i: number) => boolean = () => true) => mask.reduce((n, v, i) => n + (v && predicate(i) ? 1 : 0), 0);

describe('tissue detection', () => {
  it('splits a bimodal histogram between its modes', () => {
    const histogram = new Array(256).fill(0);
    histogram[10] = 500;
    histogram[12] = 300;
    histogram[150] = 400;
    histogram[160] = 200;
    const t = otsuThreshold(histogram);
    expect(t).toBeGreaterThanOrEqual(12);
    expect(t).toBeLessThan(150);
  });

  it('finds pink H&E tissue on white glass, fills small holes and drops specks', () => {
    const image = canvas(200, 100, [242, 242, 240]); // glass
    paint(image, 20, 20, 120, 80, [200, 110, 170]); // eosin-pink tissue, 100 x 60
    paint(image, 60, 45, 64, 49, [240, 240, 240]); // a 4 x 4 hole inside it
    paint(image, 180, 10, 182, 12, [120, 60, 150]); // a 2 x 2 speck of dust
    const mask = detectTissue(image);
    expect(count(mask.data)).toBe(100 * 60); // the tissue, its hole filled, without the speck
    expect(mask.data[47 * 200 + 62]).toBe(1);
    expect(mask.data[11 * 200 + 181]).toBe(0);
    expect(mask.data[5 * 200 + 5]).toBe(0);
  });

  it('finds no tissue on a blank slide', () => {
    const image = canvas(64, 64, [240, 241, 239]);
    image.data[100] = 235; // sensor noise
    expect(count(detectTissue(image).data)).toBe(0);
  });

  it('ignores black pen and scanner borders', () => {
    const image = canvas(100, 100, [245, 245, 245]);
    paint(image, 0, 0, 100, 5, [10, 10, 12]);
    paint(image, 30, 30, 70, 70, [180, 90, 160]);
    const mask = detectTissue(image);
    expect(count(mask.data, (i) => Math.floor(i / 100) < 5)).toBe(0);
    expect(count(mask.data)).toBe(40 * 40);
  });
});
