/**
 * JPEG restart intervals as tiles (how OpenSlide reads NDPI): a level stored as one huge JPEG
 * with restart markers is cut at the markers, and each interval decodes as a small JPEG made of
 * the original header (frame size set to the interval's) and the interval's entropy-coded data.
 */

export interface JpegHeaderInfo {
  width: number;
  height: number;
  /** MCU size in pixels (8 or 16 on each axis, from the largest sampling factors). */
  mcuWidth: number;
  mcuHeight: number;
  /** MCUs between restart markers (0: none). */
  restartInterval: number;
  /** The header bytes: SOI up to the end of the SOS segment. */
  header: Uint8Array;
}

/** Reads a JPEG header from SOI to the end of SOS, or throws a plain Error saying what is wrong. */
export function parseJpegHeader(bytes: Uint8Array): JpegHeaderInfo {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('strip is not a JPEG stream (no SOI marker)');
  let at = 2;
  let frame: { width: number; height: number; mcuWidth: number; mcuHeight: number } | null = null;
  let restartInterval = 0;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new Error('corrupt JPEG header (bad marker)');
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length) throw new Error('JPEG header is truncated');
    const body = at + 4;
    if (marker === 0xc0 || marker === 0xc1) {
      const components = bytes[body + 5]!;
      let h = 1;
      let v = 1;
      for (let c = 0; c < components && body + 6 + c * 3 + 1 < bytes.length; c++) {
        const sampling = bytes[body + 6 + c * 3 + 1]!;
        h = Math.max(h, sampling >> 4);
        v = Math.max(v, sampling & 15);
      }
      frame = { height: (bytes[body + 1]! << 8) | bytes[body + 2]!, width: (bytes[body + 3]! << 8) | bytes[body + 4]!, mcuWidth: 8 * h, mcuHeight: 8 * v };
    } else if (marker === 0xdd) {
      restartInterval = (bytes[body]! << 8) | bytes[body + 1]!;
    } else if (marker === 0xda) {
      if (!frame) throw new Error('JPEG has no baseline frame header before its scan');
      return { ...frame, restartInterval, header: bytes.slice(0, at + 2 + length) };
    }
    at += 2 + length;
  }
  throw new Error('JPEG header is truncated (no start of scan)');
}

/** The header for one restart interval: the frame size set to the interval's, the restart interval removed. */
export function restartTileHeader(header: Uint8Array, tileWidth: number, tileHeight: number): Uint8Array {
  const parts: Uint8Array[] = [header.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= header.length) {
    const marker = header[at + 1]!;
    const length = (header[at + 2]! << 8) | header[at + 3]!;
    const segment = header.slice(at, at + 2 + length);
    if (marker === 0xc0 || marker === 0xc1) {
      segment[5] = tileHeight >> 8;
      segment[6] = tileHeight & 255;
      segment[7] = tileWidth >> 8;
      segment[8] = tileWidth & 255;
    }
    if (marker !== 0xdd) parts.push(segment);
    at += 2 + length;
  }
  return Buffer.concat(parts);
}

/** A decodable JPEG from a restart interval's bytes: header, the data without its closing RST or EOI marker, EOI. */
export function frameRestartInterval(header: Uint8Array, interval: Uint8Array): Uint8Array {
  let end = interval.length;
  if (end >= 2 && interval[end - 2] === 0xff && ((interval[end - 1]! >= 0xd0 && interval[end - 1]! <= 0xd7) || interval[end - 1] === 0xd9)) end -= 2;
  const out = new Uint8Array(header.length + end + 2);
  out.set(header, 0);
  out.set(interval.subarray(0, end), header.length);
  out[out.length - 2] = 0xff;
  out[out.length - 1] = 0xd9;
  return out;
}
