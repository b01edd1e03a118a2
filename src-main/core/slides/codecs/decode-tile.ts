import zlib from 'node:zlib';
import { loadSharp } from '../sharp-loader';
import type { RgbImage } from '../slide-source';
import type { TileCodec } from '../tiff/tiff-image';
import { Compression, Photometric } from '../tiff/tiff-tags';
import { decodeJ2k } from './j2k';
import { buildJpegStream, decodeJpegWasm, jpegFrameInfo, type OutputBuffer } from './jpeg';
import { frameRestartInterval } from './jpeg-restart';
import { decodeLzw, decodePackBits } from './lzw';


/**
 * JPEG tiles up to this many pixels decode with libjpeg-turbo in wasm, larger ones with sharp:
 * measured (bench/slides-bench.ts, 2 cores): 256x256 wasm 1.4 ms vs sharp 2.2 ms, 512x512 4.8 vs 4.3.
 */
export const WASM_JPEG_MAX_PIXELS = 400 * 400;

/**
 * Decodes one TIFF tile or strip into a full tile of RGB (tileWidth x tileHeight; a short last
 * strip is padded with white). Runs in a decode worker or, as a fallback, on the calling thread.
 * `output` offers a buffer for the pixels (the libjpeg-turbo path takes it: RGB samples of a
 * whole tile are the tile), so a worker decodes into a recycled buffer without a second copy.
 * Throws plain Errors; the caller names the file, level and tile.
 */
export async function decodeTile(bytes: Uint8Array, codec: TileCodec, output?: OutputBuffer): Promise<RgbImage> {
  const { tileWidth: w, tileHeight: h } = codec;
  switch (codec.compression) {
    case Compression.Jpeg: {
      const tile = codec.restartHeader ? frameRestartInterval(codec.restartHeader, bytes) : bytes;
      const stream = buildJpegStream(tile, codec.jpegTables, codec.photometric);
      const frame = jpegFrameInfo(stream);
      if (frame.width > w || frame.height > h) throw new Error(`JPEG data is ${frame.width}x${frame.height}, larger than the ${w}x${h} tile`);
      if (frame.width * frame.height > WASM_JPEG_MAX_PIXELS) return decodeWithSharp(stream, w, h);
      const decoded = await decodeJpegWasm(stream, output);
      return padToTile(samplesToRgb(decoded.samples, decoded.width, decoded.height, decoded.components, decoded.components >= 3 ? Photometric.Rgb : Photometric.MinIsBlack), w, h);
    }
    case Compression.WebP:
      return decodeWithSharp(bytes, w, h);
    case Compression.AperioJ2kRgb:
    case Compression.AperioJ2kYcbcr:
    case Compression.Jpeg2000: {
      const { samples, components } = await decodeJ2k(bytes, w, h);
      const rgb = samplesToRgb(samples, w, h, components, components >= 3 ? Photometric.Rgb : Photometric.MinIsBlack);
      const ycbcr = codec.compression === Compression.AperioJ2kYcbcr || (codec.compression === Compression.Jpeg2000 && codec.photometric === Photometric.YCbCr);
      if (ycbcr && components >= 3) ycbcrToRgbInPlace(rgb.data);
      return rgb;
    }
    default: {
      const spp = codec.samplesPerPixel;
      const expected = w * h * spp;
      let samples: Uint8Array;
      if (codec.compression === Compression.None) samples = bytes;
      else if (codec.compression === Compression.Lzw) samples = decodeLzw(bytes, expected);
      else if (codec.compression === Compression.PackBits) samples = decodePackBits(bytes, expected);
      else if (codec.compression === Compression.Deflate || codec.compression === Compression.AdobeDeflate) samples = inflateBounded(bytes, expected);
      else throw new Error(`unsupported compression ${codec.compression}`);
      if (samples.length > expected) samples = samples.subarray(0, expected);
      if (codec.predictor === 2) {
        if (samples === bytes) samples = samples.slice();
        undoHorizontalPredictor(samples, w, spp);
      }
      return samplesToRgb(samples, w, h, spp, codec.photometric);
    }
  }
}

async function decodeWithSharp(stream: Uint8Array, w: number, h: number): Promise<RgbImage> {
  const { data, info } = await loadSharp()(stream, { limitInputPixels: Math.max(w * h, 1), failOn: 'error' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const rgb = samplesToRgb(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, info.channels, info.channels >= 3 ? Photometric.Rgb : Photometric.MinIsBlack);
  return padToTile(rgb, w, h);
}

/** Some writers store edge tiles cropped: place the pixels into a full, white-padded tile. */
function padToTile(rgb: RgbImage, w: number, h: number): RgbImage {
  if (rgb.width === w && rgb.height === h) return rgb;
  const full = new Uint8Array(w * h * 3).fill(255);
  const cw = Math.min(w, rgb.width);
  for (let y = 0; y < Math.min(h, rgb.height); y++) full.set(rgb.data.subarray(y * rgb.width * 3, (y * rgb.width + cw) * 3), y * w * 3);
  return { width: w, height: h, data: full };
}

function inflateBounded(bytes: Uint8Array, expected: number): Uint8Array {
  try {
    return zlib.inflateSync(bytes, { maxOutputLength: Math.max(expected, 1), finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new Error('Deflate data expands to more than the tile size', { cause: err });
    throw err;
  }
}

function undoHorizontalPredictor(samples: Uint8Array, width: number, spp: number): void {
  const row = width * spp;
  for (let start = 0; start + row <= samples.length; start += row) {
    for (let i = start + spp; i < start + row; i++) samples[i] = (samples[i]! + samples[i - spp]!) & 255;
  }
}

/** Interleaved 1-4 channel samples (possibly fewer rows than h) into a full RGB tile. */
function samplesToRgb(samples: Uint8Array, w: number, h: number, spp: number, photometric: number): RgbImage {
  const pixels = w * h;
  const available = Math.min(pixels, Math.floor(samples.length / spp));
  if (spp === 3 && available === pixels && samples.length === pixels * 3) {
    return { width: w, height: h, data: samples.byteOffset === 0 && samples.buffer.byteLength === samples.length ? samples : samples.slice() };
  }
  const out = new Uint8Array(pixels * 3).fill(255);
  if (spp >= 3) {
    for (let p = 0, s = 0, o = 0; p < available; p++, s += spp, o += 3) {
      out[o] = samples[s]!;
      out[o + 1] = samples[s + 1]!;
      out[o + 2] = samples[s + 2]!;
    }
  } else {
    const invert = photometric === Photometric.MinIsWhite;
    for (let p = 0, s = 0, o = 0; p < available; p++, s += spp, o += 3) {
      const g = invert ? 255 - samples[s]! : samples[s]!;
      out[o] = g;
      out[o + 1] = g;
      out[o + 2] = g;
    }
  }
  return { width: w, height: h, data: out };
}

/** Full-range (JFIF) YCbCr to RGB, as OpenSlide does for Aperio 33003 tiles. */
function ycbcrToRgbInPlace(data: Uint8Array): void {
  for (let i = 0; i + 2 < data.length; i += 3) {
    const y = data[i]!;
    const cb = data[i + 1]! - 128;
    const cr = data[i + 2]! - 128;
    data[i] = clamp(y + 1.402 * cr);
    data[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    data[i + 2] = clamp(y + 1.772 * cb);
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
