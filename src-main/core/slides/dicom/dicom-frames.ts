import type { FileReader } from '../file-reader';
import { SLIDE_LIMITS } from '../limits';
import { badSlide } from '../slide-error';
import type { DicomInstance } from './dicom-instance';

const ITEM = 0xe000;
const SEQUENCE_DELIMITER = 0xe0dd;
const ITEM_GROUP = 0xfffe;

/** Where one frame's bytes are: a single range (native) or the fragments of an encapsulated frame. */
export type FrameLocation = Array<{ offset: number; length: number }>;

/**
 * The byte ranges of every frame of an instance, found once when the slide opens: native frames
 * lie back to back; encapsulated frames are located by the Basic Offset Table when it has one
 * entry per frame, otherwise by walking the fragment items (one fragment per frame, as WSI
 * writers store them). Every range is checked against the file size.
 */
export async function locateFrames(file: FileReader, instance: DicomInstance, bytesPerNativeFrame: number): Promise<FrameLocation[]> {
  const { path } = file;
  if (instance.pixelDataLength !== null) {
    const needed = instance.frames * bytesPerNativeFrame;
    if (instance.pixelDataLength < needed || instance.pixelDataOffset + needed > file.size) {
      throw badSlide(path, `DICOM Pixel Data holds ${Math.min(instance.pixelDataLength, file.size - instance.pixelDataOffset)} bytes, but ${instance.frames} frames need ${needed} (truncated file?)`);
    }
    return Array.from({ length: instance.frames }, (_, i) => [{ offset: instance.pixelDataOffset + i * bytesPerNativeFrame, length: bytesPerNativeFrame }]);
  }
  const fragments: Array<{ offset: number; length: number }> = [];
  let at = instance.pixelDataOffset;
  const first = await readItem(file, at);
  if (first.tag !== ITEM) throw badSlide(path, 'DICOM encapsulated Pixel Data does not start with a Basic Offset Table item');
  const tableBytes = first.length > 0 ? await file.read(at + 8, first.length, 'DICOM Basic Offset Table') : new Uint8Array(0);
  at += 8 + first.length;
  const itemsStart = at;
  const maxFragments = Math.max(instance.frames * 64, 1024);
  for (;;) {
    if (at + 8 > file.size) {
      if (fragments.length === 0) throw badSlide(path, 'DICOM Pixel Data is truncated: no frames');
      break; // truncated: the frames found so far read, the rest are missing (background)
    }
    const item = await readItem(file, at);
    if (item.tag === SEQUENCE_DELIMITER) break;
    if (item.tag !== ITEM) throw badSlide(path, `DICOM Pixel Data has a malformed fragment at byte ${at}`);
    if (item.length > SLIDE_LIMITS.maxTileBytes) throw badSlide(path, `DICOM fragment at byte ${at} claims ${item.length} bytes`);
    if (at + 8 + item.length > file.size) break; // a truncated last fragment is a missing frame
    fragments.push({ offset: at + 8, length: item.length });
    if (fragments.length > maxFragments) throw badSlide(path, `DICOM Pixel Data has more than ${maxFragments} fragments for ${instance.frames} frames`);
    at += 8 + item.length;
  }
  const table = new DataView(tableBytes.buffer, tableBytes.byteOffset, tableBytes.byteLength);
  if (table.byteLength === instance.frames * 4 && instance.frames > 1) {
    // Group fragments by the table: frame i starts at itemsStart + table[i] (both in file order).
    const starts = Array.from({ length: instance.frames }, (_, i) => itemsStart + table.getUint32(i * 4, true));
    const frames: FrameLocation[] = starts.map(() => []);
    let frame = 0;
    for (const fragment of fragments) {
      while (frame + 1 < starts.length && fragment.offset - 8 >= starts[frame + 1]!) frame++;
      if (fragment.offset - 8 >= starts[frame]!) frames[frame]!.push(fragment);
    }
    return frames;
  }
  if (fragments.length === instance.frames || fragments.length < instance.frames) {
    return Array.from({ length: instance.frames }, (_, i) => (fragments[i] ? [fragments[i]!] : []));
  }
  throw badSlide(path, `DICOM Pixel Data has ${fragments.length} fragments for ${instance.frames} frames and no Basic Offset Table to tell them apart`);
}

async function readItem(file: FileReader, at: number): Promise<{ tag: number; length: number }> {
  const bytes = await file.read(at, 8, 'DICOM Pixel Data item');
  const view = new DataView(bytes.buffer);
  if (view.getUint16(0, true) !== ITEM_GROUP) throw badSlide(file.path, `DICOM Pixel Data has a malformed item at byte ${at}`);
  return { tag: view.getUint16(2, true), length: view.getUint32(4, true) };
}

/** A frame's bytes: its fragments joined. An empty location is a missing frame. */
export async function readFrame(file: FileReader, location: FrameLocation, what: string): Promise<Uint8Array | null> {
  if (location.length === 0) return null;
  if (location.length === 1) return file.read(location[0]!.offset, location[0]!.length, what);
  return Buffer.concat(await Promise.all(location.map((f) => file.read(f.offset, f.length, what))));
}
