import type { FileReader } from '../file-reader';
import { SLIDE_LIMITS } from '../limits';
import { badSlide } from '../slide-error';
import { LOADED_TAGS, Tag } from './tiff-tags';

/** One tag value as loaded: numbers for numeric types, a string for ASCII, bytes for UNDEFINED/BYTE blobs. */
export type TagValue = number[] | string | Uint8Array;

/** One IFD: its loaded tags and the SubIFDs it points to. */
export interface Ifd {
  /** Order of discovery, main chain first: a stable name for error messages and cache keys. */
  readonly id: number;
  readonly offset: number;
  readonly tags: ReadonlyMap<number, TagValue>;
  readonly subIfds: Ifd[];
}

export interface TiffFile {
  readonly littleEndian: boolean;
  readonly bigTiff: boolean;
  /** The main IFD chain, in file order; each carries its SubIFDs. */
  readonly ifds: Ifd[];
}

/** Bytes per value of each TIFF field type, or undefined for a type we do not know. */
const TYPE_SIZES: Record<number, number> = {
  1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8,
};

/** True when the first bytes are a TIFF or BigTIFF header. */
export function looksLikeTiff(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const ii = head[0] === 0x49 && head[1] === 0x49;
  const mm = head[0] === 0x4d && head[1] === 0x4d;
  if (!ii && !mm) return false;
  const version = ii ? head[2]! | (head[3]! << 8) : (head[2]! << 8) | head[3]!;
  return version === 42 || version === 43;
}

/**
 * Parses the header and every IFD (main chain and SubIFDs) of a TIFF or BigTIFF, loading only the
 * tags the slide readers use. Every offset and count is checked against the file size and
 * SLIDE_LIMITS before it is read or allocated; IFD loops are detected.
 */
export async function parseTiff(file: FileReader): Promise<TiffFile> {
  const path = file.path;
  if (file.size < 8) throw badSlide(path, `is not a TIFF file (only ${file.size} bytes)`);
  const head = await file.read(0, Math.min(16, file.size), 'TIFF header');
  if (!looksLikeTiff(head)) throw badSlide(path, 'is not a TIFF file (no TIFF byte-order mark)');
  const le = head[0] === 0x49;
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const bigTiff = hv.getUint16(2, le) === 43;
  let firstIfd: number;
  if (bigTiff) {
    if (head.length < 16) throw badSlide(path, 'BigTIFF header is truncated');
    if (hv.getUint16(4, le) !== 8 || hv.getUint16(6, le) !== 0) throw badSlide(path, 'BigTIFF header has an unsupported offset size');
    firstIfd = readU64(hv, 8, le);
  } else {
    firstIfd = hv.getUint32(4, le);
  }

  const ctx: ParseContext = { file, le, bigTiff, visited: new Set(), count: 0 };
  const ifds = await readChain(ctx, firstIfd, 'main', 0);
  if (ifds.length === 0) throw badSlide(path, 'TIFF holds no images (first IFD offset is 0)');
  return { littleEndian: le, bigTiff, ifds };
}

interface ParseContext {
  file: FileReader;
  le: boolean;
  bigTiff: boolean;
  visited: Set<number>;
  count: number;
}

async function readChain(ctx: ParseContext, start: number, where: string, depth: number): Promise<Ifd[]> {
  const out: Ifd[] = [];
  let offset = start;
  while (offset !== 0) {
    const ifd = await readIfd(ctx, offset, where, depth);
    out.push(ifd.ifd);
    offset = ifd.next;
  }
  return out;
}

async function readIfd(ctx: ParseContext, offset: number, where: string, depth: number): Promise<{ ifd: Ifd; next: number }> {
  const { file, le, bigTiff } = ctx;
  const path = file.path;
  if (ctx.visited.has(offset)) throw badSlide(path, `IFD loop: the ${where} IFD chain returns to offset ${offset}`);
  ctx.visited.add(offset);
  if (++ctx.count > SLIDE_LIMITS.maxIfds) throw badSlide(path, `more than ${SLIDE_LIMITS.maxIfds} IFDs`);
  if (depth > 4) throw badSlide(path, 'SubIFDs nested too deeply');
  if (offset < (bigTiff ? 16 : 8) || offset >= file.size) {
    throw badSlide(path, `IFD offset ${offset} lies outside the file (truncated file?)`);
  }
  const countSize = bigTiff ? 8 : 2;
  const entrySize = bigTiff ? 20 : 12;
  const countBytes = await file.read(offset, countSize, `IFD at offset ${offset}`);
  const cv = new DataView(countBytes.buffer);
  const entryCount = bigTiff ? readU64(cv, 0, le) : cv.getUint16(0, le);
  if (entryCount === 0) throw badSlide(path, `IFD at offset ${offset} has no entries`);
  if (entryCount > SLIDE_LIMITS.maxTagsPerIfd) throw badSlide(path, `IFD at offset ${offset} claims ${entryCount} entries`);
  const block = await file.read(offset + countSize, entryCount * entrySize + (bigTiff ? 8 : 4), `IFD at offset ${offset}`);
  const v = new DataView(block.buffer);
  // NDPI (Hamamatsu) extends classic TIFF past 4 GiB: the next-IFD offset is 64-bit and the high
  // 32 bits of each entry's value offset follow the IFD, 4 bytes per entry. Every NDPI IFD has tag 65420.
  let ndpiHigh: DataView | null = null;
  if (!bigTiff && Array.from({ length: entryCount }, (_, i) => v.getUint16(i * entrySize, le)).includes(Tag.NdpiFormatFlag)) {
    const extra = await file.read(offset + countSize + entryCount * entrySize + 4, 4 + 4 * entryCount, `NDPI offset extension of the IFD at offset ${offset}`);
    ndpiHigh = new DataView(extra.buffer);
  }
  const highBits = (i: number): number => (ndpiHigh ? ndpiHigh.getUint32(4 + 4 * i, le) * 2 ** 32 : 0);
  const tags = new Map<number, TagValue>();
  for (let i = 0; i < entryCount; i++) {
    const e = i * entrySize;
    const tag = v.getUint16(e, le);
    const type = v.getUint16(e + 2, le);
    const count = bigTiff ? readU64(v, e + 4, le) : v.getUint32(e + 4, le);
    if (!LOADED_TAGS.has(tag)) continue;
    const size = TYPE_SIZES[type];
    if (size === undefined) throw badSlide(path, `tag ${tag} has unknown field type ${type}`);
    const total = size * count;
    if (!Number.isSafeInteger(total) || total > SLIDE_LIMITS.maxTagBytes || total > file.size) {
      throw badSlide(path, `tag ${tag} claims ${count} values, more than the file could hold`);
    }
    const inlineSize = bigTiff ? 8 : 4;
    let bytes: Uint8Array;
    if (total <= inlineSize) {
      bytes = block.subarray(e + (bigTiff ? 12 : 8), e + (bigTiff ? 12 : 8) + total);
      // NDPI keeps single strip offsets inline; their high bits are in the extension too.
      if (ndpiHigh && tag === Tag.StripOffsets && count === 1 && highBits(i) > 0) {
        tags.set(tag, [v.getUint32(e + 8, le) + highBits(i)]);
        continue;
      }
    } else {
      const valueOffset = bigTiff ? readU64(v, e + 12, le) : v.getUint32(e + 8, le) + highBits(i);
      bytes = await file.read(valueOffset, total, `value of tag ${tag}`);
    }
    tags.set(tag, decodeValue(bytes, type, count, le, tag));
  }
  const next = bigTiff ? readU64(v, entryCount * entrySize, le) : v.getUint32(entryCount * entrySize, le) + (ndpiHigh ? ndpiHigh.getUint32(0, le) * 2 ** 32 : 0);
  if (next !== 0 && next >= file.size) throw badSlide(path, `next-IFD offset ${next} lies past the end of the file (truncated file?)`);
  const id = ctx.count - 1;
  const subIfds: Ifd[] = [];
  const subOffsets = tags.get(Tag.SubIFDs);
  if (Array.isArray(subOffsets)) {
    for (const sub of subOffsets) {
      // Each SubIFD may itself be a chain; OME writers put one IFD per offset.
      subIfds.push(...(await readChain(ctx, sub, 'SubIFD', depth + 1)));
    }
  }
  return { ifd: { id, offset, tags, subIfds }, next };
}

function decodeValue(bytes: Uint8Array, type: number, count: number, le: boolean, tag: number): TagValue {
  if (type === 2) {
    let end = bytes.indexOf(0);
    if (end < 0) end = bytes.length;
    // ImageDescription is ASCII by the spec; OME-XML is UTF-8 in practice.
    return Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8');
  }
  if ((type === 7 || type === 1) && tag === Tag.JPEGTables) return bytes.slice();
  if ((type === 7 || type === 1) && tag === Tag.XMP) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case 1: case 7: out[i] = v.getUint8(i); break;
      case 6: out[i] = v.getInt8(i); break;
      case 3: out[i] = v.getUint16(i * 2, le); break;
      case 8: out[i] = v.getInt16(i * 2, le); break;
      case 4: case 13: out[i] = v.getUint32(i * 4, le); break;
      case 9: out[i] = v.getInt32(i * 4, le); break;
      case 5: { const d = v.getUint32(i * 8 + 4, le); out[i] = d === 0 ? 0 : v.getUint32(i * 8, le) / d; break; }
      case 10: { const d = v.getInt32(i * 8 + 4, le); out[i] = d === 0 ? 0 : v.getInt32(i * 8, le) / d; break; }
      case 11: out[i] = v.getFloat32(i * 4, le); break;
      case 12: out[i] = v.getFloat64(i * 8, le); break;
      case 16: case 18: out[i] = readU64(v, i * 8, le); break;
      case 17: out[i] = Number(v.getBigInt64(i * 8, le)); break;
      default: out[i] = 0;
    }
  }
  return out;
}

/** A 64-bit offset or count; values past 2^53 cannot be valid in any file we can read. */
function readU64(v: DataView, at: number, le: boolean): number {
  const n = v.getBigUint64(at, le);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

export function tagNumbers(ifd: Ifd, tag: number): number[] | undefined {
  const v = ifd.tags.get(tag);
  if (Array.isArray(v)) return v;
  if (v instanceof Uint8Array) return Array.from(v);
  return undefined;
}

export function tagNumber(ifd: Ifd, tag: number): number | undefined {
  return tagNumbers(ifd, tag)?.[0];
}

export function tagString(ifd: Ifd, tag: number): string | undefined {
  const v = ifd.tags.get(tag);
  return typeof v === 'string' ? v : undefined;
}

export function tagBytes(ifd: Ifd, tag: number): Uint8Array | undefined {
  const v = ifd.tags.get(tag);
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return Uint8Array.from(v);
  return undefined;
}
