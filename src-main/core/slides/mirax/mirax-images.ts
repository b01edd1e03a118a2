import type { DecodePool } from '../decode-pool';
import { SLIDE_LIMITS } from '../limits';
import { decodeWholeImage } from '../codecs/whole-image';
import type { RgbImage } from '../slide-source';
import type { TileCodec } from '../tiff/tiff-image';
import { Compression, Photometric } from '../tiff/tiff-tags';

const jpegCodecs = new Map<string, TileCodec>();

/** One codec object per image size: the decode pool sends each codec object to a worker once. */
function jpegCodec(width: number, height: number): TileCodec {
  const key = `${width}x${height}`;
  let codec = jpegCodecs.get(key);
  if (!codec) {
    codec = { compression: Compression.Jpeg, photometric: Photometric.YCbCr, samplesPerPixel: 3, predictor: 1, tileWidth: width, tileHeight: height, jpegTables: null };
    jpegCodecs.set(key, codec);
  }
  return codec;
}

/** How MIRAX stores its images (IMAGE_FORMAT in a zoom level's section). */
export type MiraxImageFormat = 'JPEG' | 'PNG' | 'BMP24';

export function isMiraxImageFormat(value: string): value is MiraxImageFormat {
  return value === 'JPEG' || value === 'PNG' || value === 'BMP24';
}

/**
 * Decodes one stored image into RGB of at most width x height (the level's image size; smaller
 * images are padded white). JPEG goes through the shared decode pool; PNG through sharp; BMP24,
 * which sharp does not read, through a small reader. Throws plain Errors; the caller names the image.
 */
export async function decodeMiraxImage(bytes: Uint8Array, format: MiraxImageFormat, width: number, height: number, pool: DecodePool): Promise<RgbImage> {
  if (format === 'JPEG') return pool.decode(bytes, jpegCodec(width, height));
  const image = format === 'PNG' ? await decodeWholeImage(bytes, width * height) : decodeBmp24(bytes);
  if (image.width > width || image.height > height) throw new Error(`the image is ${image.width}x${image.height}, larger than the level's ${width}x${height}`);
  return image;
}

/** An uncompressed 24-bit Windows bitmap (BITMAPINFOHEADER, rows bottom-up unless the height is negative). */
export function decodeBmp24(bytes: Uint8Array): RgbImage {
  if (bytes.length < 54 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw new Error('not a BMP image (no BM signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelsAt = view.getUint32(10, true);
  const width = view.getInt32(18, true);
  const signedHeight = view.getInt32(22, true);
  const height = Math.abs(signedHeight);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  if (bits !== 24 || compression !== 0) throw new Error(`BMP with ${bits} bits per pixel and compression ${compression} (only uncompressed 24-bit is read)`);
  if (width < 1 || height < 1 || width * height > SLIDE_LIMITS.maxTilePixels) throw new Error(`BMP claims ${width}x${height} pixels`);
  const stride = Math.ceil((width * 3) / 4) * 4;
  if (pixelsAt + stride * height > bytes.length) throw new Error(`BMP pixels run past the end of its ${bytes.length} bytes`);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = pixelsAt + (signedHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0, s = src, d = y * width * 3; x < width; x++, s += 3, d += 3) {
      data[d] = bytes[s + 2]!;
      data[d + 1] = bytes[s + 1]!;
      data[d + 2] = bytes[s]!;
    }
  }
  return { width, height, data };
}
