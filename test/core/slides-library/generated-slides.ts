import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export interface GeneratedSlide {
  file: string;
  width: number;
  height: number;
  /** µm per pixel written into the TIFF resolution tags, or null when none is written. */
  mpp: number | null;
}

/**
 * A pyramidal, tiled, JPEG-compressed TIFF that looks like an H&E section: pink and purple
 * "tissue" blobs (rounded, with darker nuclei-like dots) on near-white glass. Resolution tags
 * say `mpp` µm per pixel (sharp writes them in pixels per mm).
 */
export async function writeTissueTiff(file: string, options: { width?: number; height?: number; mpp?: number } = {}): Promise<GeneratedSlide> {
  const width = options.width ?? 6000;
  const height = options.height ?? 4000;
  const mpp = options.mpp ?? 0.5;
  const pxPerMm = 1000 / mpp;
  const blobs: string[] = [];
  const shapes = [
    { cx: 0.27, cy: 0.42, rx: 0.2, ry: 0.3, fill: '#e3a1c6' },
    { cx: 0.68, cy: 0.55, rx: 0.22, ry: 0.27, fill: '#d98cbb' },
    { cx: 0.5, cy: 0.18, rx: 0.1, ry: 0.08, fill: '#c77fb4' },
  ];
  for (const s of shapes) {
    blobs.push(`<ellipse cx="${s.cx * width}" cy="${s.cy * height}" rx="${s.rx * width}" ry="${s.ry * height}" fill="${s.fill}"/>`);
  }
  // Nuclei: a deterministic scatter of purple dots inside the blobs.
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 900; i++) {
    const s = shapes[i % shapes.length]!;
    const angle = random() * Math.PI * 2;
    const radius = Math.sqrt(random()) * 0.92;
    const x = (s.cx + Math.cos(angle) * s.rx * radius) * width;
    const y = (s.cy + Math.sin(angle) * s.ry * radius) * height;
    blobs.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${(6 + random() * 10).toFixed(1)}" fill="#6b3f98" fill-opacity="0.8"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#f6f4f6"/>${blobs.join('')}</svg>`;
  await sharp(Buffer.from(svg), { limitInputPixels: false })
    .flatten({ background: '#f6f4f6' })
    .tiff({ tile: true, pyramid: true, compression: 'jpeg', quality: 88, tileWidth: 256, tileHeight: 256, xres: pxPerMm, yres: pxPerMm })
    .toFile(file);
  return { file, width, height, mpp };
}

/** A small PNG patch without resolution metadata (mpp unknown). */
export async function writePatchPng(file: string, width = 320, height = 240): Promise<GeneratedSlide> {
  await sharp({ create: { width, height, channels: 3, background: '#f5f3f5' } })
    .composite([{ input: { create: { width: width / 2, height: height / 2, channels: 3, background: '#c77fb4' } }, left: width / 4, top: height / 4 }])
    .png()
    .toFile(file);
  return { file, width, height, mpp: null };
}

/** A folder with two good slides (a TIFF pyramid, a PNG) and two bad files, plus a file the scan ignores. */
export async function writeMixedFolder(dir: string): Promise<{ tiff: GeneratedSlide; png: GeneratedSlide; corrupt: string; empty: string }> {
  fs.mkdirSync(path.join(dir, 'nested'), { recursive: true });
  const tiff = await writeTissueTiff(path.join(dir, 'section.tif'), { width: 3000, height: 2000, mpp: 0.5 });
  const png = await writePatchPng(path.join(dir, 'nested', 'patch.png'));
  const corrupt = path.join(dir, 'corrupt.svs');
  fs.writeFileSync(corrupt, Buffer.from('II*\0garbage that is not a TIFF directory at all'));
  const empty = path.join(dir, 'empty.tiff');
  fs.writeFileSync(empty, Buffer.alloc(0));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a slide');
  return { tiff, png, corrupt, empty };
}
