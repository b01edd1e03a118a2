import path from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../slides/slide-source';
import { HistoError } from '../errors';

const rawOf = (image: RgbImage) => ({ raw: { width: image.width, height: image.height, channels: 3 as const } });

/** Resizes with antialiasing (libvips' reducing Lanczos kernel), e.g. a level read down to the tile size. */
export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  const { data, info } = await sharp(image.data, rawOf(image))
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Writes an RGB image as PNG (or JPEG / TIFF by the file's extension). */
export async function writeRgbImage(image: RgbImage, file: string): Promise<void> {
  const ext = path.extname(file).toLowerCase();
  let pipeline = sharp(image.data, rawOf(image));
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
