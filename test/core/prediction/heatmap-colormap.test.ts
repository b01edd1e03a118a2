import { describe, expect, it } from 'vitest';
import { alphaOf, renderClassMap, renderHeatmap } from '../../../src-main/core/prediction/heatmap';
import { parseSlideImagePath } from '../../../src-main/core/slides-library/slide-images';

const pixel = (data: Uint8Array, width: number, x: number, y: number) => Array.from(data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));

describe('heatmap colormap', () => {
  it('leaves low scores transparent and fades in towards the high ones', () => {
    expect(alphaOf(0)).toBe(0);
    expect(alphaOf(0.1)).toBe(0);
    expect(alphaOf(0.3)).toBeCloseTo(0.5);
    expect(alphaOf(0.9)).toBe(1);
    const tiles = [0, 0.3, 1].map((score, i) => ({ x: i * 100, y: 0, width: 100, height: 100, score }));
    const map = renderHeatmap(tiles, 300, 100, 300, 200);
    expect(pixel(map.data, map.width, 50, 50)[3]).toBe(0);
    expect(pixel(map.data, map.width, 150, 50)[3]).toBe(100);
    expect(pixel(map.data, map.width, 250, 50)).toEqual([252, 255, 164, 200]);
  });

  it('paints each tile in the colour of its most probable class', () => {
    const colours: Array<[number, number, number]> = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
    const tiles = [
      { x: 0, y: 0, width: 10, height: 10, probs: [0.2, 0.7, 0.1] },
      { x: 10, y: 0, width: 10, height: 10, probs: [0.1, 0.3, 0.6] },
    ];
    const map = renderClassMap(tiles, colours, 30, 10, 30);
    expect(pixel(map.data, map.width, 5, 5)).toEqual([0, 255, 0, 255]);
    expect(pixel(map.data, map.width, 15, 5)).toEqual([0, 0, 255, 255]);
    expect(pixel(map.data, map.width, 25, 5)[3]).toBe(0); // no prediction there
  });
});

describe('class map route', () => {
  it('parses the class map path of a head and slide, and refuses a malformed id', () => {
    expect(parseSlideImagePath('heads/2/slides/3/classmap.png')).toEqual({ kind: 'classmap', headId: 2, slideId: 3 });
    expect(parseSlideImagePath('/heads/2/slides/3/classmap.png')).toEqual({ kind: 'classmap', headId: 2, slideId: 3 });
    expect(() => parseSlideImagePath('heads/x/slides/3/classmap.png')).toThrow(/head id must be a positive whole number/);
  });
});
