/** Operations on a binary mask (1 = tissue) of width x height, in place where noted. */

/** Labels 4-connected components of pixels equal to `value`; returns labels (0 = other) and sizes. */
function components(mask: Uint8Array, width: number, height: number, value: number): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(width * height);
  const sizes: number[] = [0];
  // A typed stack and the four neighbours tested in line: a 1024 x 1024 overview has a million
  // pixels, and an array of neighbours per pixel made this the slowest step of planning a slide.
  let stack = new Int32Array(4096);
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== value || labels[start] !== 0) continue;
    const label = sizes.length;
    let size = 0;
    let top = 0;
    labels[start] = label;
    stack[top++] = start;
    while (top > 0) {
      const p = stack[--top]!;
      size++;
      if (top + 4 > stack.length) {
        const grown = new Int32Array(stack.length * 2);
        grown.set(stack);
        stack = grown;
      }
      const x = p % width;
      if (x > 0 && mask[p - 1] === value && labels[p - 1] === 0) {
        labels[p - 1] = label;
        stack[top++] = p - 1;
      }
      if (x < width - 1 && mask[p + 1] === value && labels[p + 1] === 0) {
        labels[p + 1] = label;
        stack[top++] = p + 1;
      }
      if (p >= width && mask[p - width] === value && labels[p - width] === 0) {
        labels[p - width] = label;
        stack[top++] = p - width;
      }
      if (p + width < mask.length && mask[p + width] === value && labels[p + width] === 0) {
        labels[p + width] = label;
        stack[top++] = p + width;
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
