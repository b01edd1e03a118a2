/** Operations on a binary mask (1 = tissue) of width x height, in place where noted. */

/** Labels 4-connected components of pixels equal to `value`; returns labels (0 = other) and sizes. */
function components(mask: Uint8Array, width: number, height: number, value: number): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(width * height);
  const sizes: number[] = [0];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== value || labels[start] !== 0) continue;
    const label = sizes.length;
    let size = 0;
    labels[start] = label;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      size++;
      const x = p % width;
      const y = (p - x) / width;
      const neighbours = [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1, y < height - 1 ? p + width : -1];
      for (const n of neighbours) {
        if (n >= 0 && mask[n] === value && labels[n] === 0) {
          labels[n] = label;
          stack.push(n);
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/** Removes tissue components smaller than `minPixels` (dust, debris, pen specks). */
export function removeSmallComponents(mask: Uint8Array, width: number, height: number, minPixels: number): void {
  const { labels, sizes } = components(mask, width, height, 1);
  for (let p = 0; p < mask.length; p++) if (mask[p] === 1 && sizes[labels[p]!]! < minPixels) mask[p] = 0;
}

/**
 * Fills holes: background components that do not touch the border and are smaller than
 * `maxHolePixels` become tissue (lumina, nuclei-free gaps), while large enclosed background stays.
 */
export function fillHoles(mask: Uint8Array, width: number, height: number, maxHolePixels: number): void {
  const { labels, sizes } = components(mask, width, height, 0);
  const touchesBorder = new Uint8Array(sizes.length);
  for (let x = 0; x < width; x++) {
    touchesBorder[labels[x]!] = 1;
    touchesBorder[labels[(height - 1) * width + x]!] = 1;
  }
  for (let y = 0; y < height; y++) {
    touchesBorder[labels[y * width]!] = 1;
    touchesBorder[labels[y * width + width - 1]!] = 1;
  }
  for (let p = 0; p < mask.length; p++) {
    const label = labels[p]!;
    if (mask[p] === 0 && !touchesBorder[label] && sizes[label]! <= maxHolePixels) mask[p] = 1;
  }
}
