import { SLIDE_LIMITS } from '../limits';
import { loadSharp } from '../sharp-loader';
import type { RgbImage } from '../slide-source';

/**
 * Decodes a whole PNG or JPEG (a patch image, a MIRAX image, an associated image stored as a
 * file inside the slide) into RGB with sharp: transparency over white, any colour space to sRGB.
 * Refuses images of more than `maxPixels` before decoding them.
 */
export async function decodeWholeImage(bytes: Uint8Array, maxPixels: number = SLIDE_LIMITS.maxSingleImagePixels): Promise<RgbImage> {
  const { data, info } = await loadSharp()(bytes, { limitInputPixels: Math.max(1, maxPixels), failOn: 'error' })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
