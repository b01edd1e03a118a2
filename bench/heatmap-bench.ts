// npm run bench:heatmap — a 100k-tile prediction grid rendered to the overlay image (target < 1 s).
import { renderHeatmap, type ScoredTile } from '../src-main/core/prediction/heatmap';
import { loadSharp } from '../src-main/core/slides/sharp-loader';

async function main() {
  const side = 317; // 317 x 317 = 100,489 tiles of 448 level-0 px (224 px at 0.5 µm/px on a 0.25 µm/px scan)
  const tiles: ScoredTile[] = [];
  for (let row = 0; row < side; row++) {
    for (let column = 0; column < side; column++) {
      const score = 0.5 + 0.5 * Math.sin(row / 17) * Math.cos(column / 23);
      tiles.push({ x: column * 448, y: row * 448, width: 448, height: 448, score });
    }
  }
  const slide = side * 448;
  for (const maxSide of [1024, 2048, 4096]) {
    const runs: number[] = [];
    let encoded = 0;
    for (let r = 0; r < 5; r++) {
      const start = performance.now();
      const map = renderHeatmap(tiles, slide, slide, maxSide, 200);
      const png = await loadSharp()(map.data, { raw: { width: map.width, height: map.height, channels: 4 } }).png({ compressionLevel: 3 }).toBuffer();
      encoded = png.length;
      runs.push(performance.now() - start);
    }
    runs.sort((a, b) => a - b);
    console.log(`heatmap ${tiles.length} tiles -> ${maxSide} px overlay PNG: median ${runs[2]!.toFixed(0)} ms (best ${runs[0]!.toFixed(0)} ms, ${(encoded / 1024).toFixed(0)} KiB) (target < 1000 ms)`);
  }
}

void main();
