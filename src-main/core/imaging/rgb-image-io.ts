import path from 'node:path';
import type { RgbImage } from '../slides/slide-source';
import { loadSharp } from '../slides/sharp-loader';
import { HistoError } from '../errors';

export { resizeRgb } from '../slides/region';

/** Writes an RGB image as PNG (or JPEG / TIFF by the file's extension). */
export async function writeRgbImage(image: RgbImage, file: string): Promise<void> {
  const ext = path.extname(file).toLowerCase();
  let pipeline = loadSharp()(image.data, { raw: { width: image.width, height: image.height, channels: 3 }, limitInputPixels: false });
  if (ext === '.png') pipeline = pipeline.png();
  else if (ext === '.jpg' || ext === '.jpeg') pipeline = pipeline.jpeg({ quality: 95 });
  else if (ext === '.tif' || ext === '.tiff') pipeline = pipeline.tiff();
  else throw new HistoError('VALIDATION', `${file}: unsupported output type '${ext}' (use .png, .jpg or .tiff)`);
  try {
    await pipeline.toFile(file);
  } catch (err) {
    throw new HistoError('BAD_INPUT', `${file}: cannot write image (${(err as Error).message})`);
  }
}
