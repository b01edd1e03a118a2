import { describe, expect, it } from 'vitest';
import { fillHoles, removeSmallComponents } from '../../../src-main/core/tiling/binary-morphology';

/** Component sizes by the plainest flood fill there is, for comparison: label per pixel, 4-connected. */
function referenceComponents(mask: Uint8Array, width: number, height: number, value: number): { labels: number[]; sizes: number[] } {
  const labels = new Array<number>(mask.length).fill(0);
  const sizes = [0];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== value || labels[start] !== 0) continue;
    const queue = [start];
    labels[start] = sizes.length;
    for (let q = 0; q < queue.length; q++) {
      const x = queue[q]! % width;
      const y = Math.floor(queue[q]! / width);
      for (const [nx, ny] of [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]] as const) {
        const n = ny * width + nx;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height || mask[n] !== value || labels[n] !== 0) continue;
        labels[n] = sizes.length;
        queue.push(n);
      }
    }
    sizes.push(queue.length);
  }
  return { labels, sizes };
}

function randomMask(width: number, height: number, seed: number, density: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: width * height }, () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff < density ? 1 : 0));
}

describe('binary morphology on random masks, against a plain flood fill', () => {
  it('removes exactly the tissue components below the size, and fills exactly the small enclosed holes', () => {
    for (const [width, height, seed, density] of [[37, 23, 1, 0.45], [64, 64, 2, 0.6], [1, 50, 3, 0.5], [50, 1, 4, 0.5], [90, 70, 5, 0.35]] as const) {
      const mask = randomMask(width, height, seed, density);

      const specks = mask.slice();
      removeSmallComponents(specks, width, height, 4);
      const tissue = referenceComponents(mask, width, height, 1);
      expect(Array.from(specks)).toEqual(Array.from(mask, (v, p) => (v === 1 && tissue.sizes[tissue.labels[p]!]! >= 4 ? 1 : 0)));

      const filled = mask.slice();
      fillHoles(filled, width, height, 6);
      const background = referenceComponents(mask, width, height, 0);
      const border = new Set<number>();
      for (let p = 0; p < mask.length; p++) {
        const x = p % width;
        const y = Math.floor(p / width);
        if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border.add(background.labels[p]!);
      }
      const hole = (p: number) => mask[p] === 0 && !border.has(background.labels[p]!) && background.sizes[background.labels[p]!]! <= 6;
      expect(Array.from(filled)).toEqual(Array.from(mask, (v, p) => (hole(p) ? 1 : v)));
    }
  });
});
