import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writePyramid } from '../fixtures/slide-fixtures';

/** A lossless (LZW) two-level pyramid at 0.25 µm/px whose pixels are `patternAt`. */
export function writeTestSlide(dir: string, name = 'slide.tif', size = { width: 512, height: 384 }): Promise<string> {
  return writePyramid(path.join(dir, name), {
    ...size,
    tile: 128,
    compression: 'lzw',
    downsamples: [1, 2],
    // 40000 px per cm = 0.25 µm per pixel.
    resolution: { x: 40000, y: 40000, unit: 3 },
  });
}

/** An ImageFolder patch dataset: DIR/<class>/<n>.png, each class its own colour. */
export async function writePatchDataset(dir: string, classes: Record<string, [number, number, number]>, perClass: number): Promise<string> {
  const root = path.join(dir, 'patches');
  for (const [name, rgb] of Object.entries(classes)) {
    fs.mkdirSync(path.join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const jitter = (c: number) => Math.max(0, Math.min(255, c + ((i * 37) % 21) - 10));
      await sharp({ create: { width: 48, height: 40, channels: 3, background: { r: jitter(rgb[0]), g: jitter(rgb[1]), b: jitter(rgb[2]) } } })
        .png()
        .toFile(path.join(root, name, `${i}.png`));
    }
  }
  return root;
}

/**
 * Patches whose class is in the average colour but whose every pixel carries strong noise: a
 * backbone must pool over the tile to see the class (32 x 32 PNGs, DIR/<class>/<n>.png).
 */
export async function writeNoisyPatchDataset(dir: string, classes: Record<string, [number, number, number]>, perClass: number, seed = 1): Promise<string> {
  const root = path.join(dir, 'noisy-patches');
  let state = seed >>> 0 || 1;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (const [name, rgb] of Object.entries(classes)) {
    fs.mkdirSync(path.join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const data = Buffer.alloc(32 * 32 * 3);
      for (let p = 0; p < 32 * 32; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c]! + (random() - 0.5) * 160)));
      await sharp(data, { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(path.join(root, name, `${i}.png`));
    }
  }
  return root;
}

/** 512 x 256 at 0.5 µm/px: dark purple "tumour" on the left half, pale pink "stroma" on the right. */
export async function writeTwoRegionSlide(file: string): Promise<string> {
  return writeRegionSlide(file, 512, [
    [110, 50, 140],
    [235, 180, 200],
  ]);
}

/**
 * A 576 x 256 slide in three vertical bands of 192 px (6 tiles of 32): dark purple, pale pink,
 * pale blue, with the same noise: a three-class task's tiles.
 */
export async function writeThreeRegionSlide(file: string): Promise<string> {
  return writeRegionSlide(file, 576, [
    [110, 50, 140],
    [235, 180, 200],
    [150, 200, 235],
  ]);
}

async function writeRegionSlide(file: string, width: number, bands: Array<[number, number, number]>): Promise<string> {
  const height = 256;
  const data = Buffer.alloc(width * height * 3);
  let s = 3;
  const noise = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % 41) - 20;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const base = bands[Math.floor((x * bands.length) / width)]!;
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, base[c]! + noise()));
    }
  }
  await sharp(data, { raw: { width, height, channels: 3 } }).tiff({ tile: true, tileWidth: 128, tileHeight: 128, pyramid: true, compression: 'lzw', xres: 2000, yres: 2000 }).toFile(file);
  return file;
}
