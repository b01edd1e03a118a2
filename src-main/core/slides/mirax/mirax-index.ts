import { SLIDE_LIMITS } from '../limits';
import { badSlide } from '../slide-error';

/** Where one stored item lies: a byte range of a data file. */
export interface DataRange {
  fileno: number;
  offset: number;
  length: number;
}

/** One image of a zoom level: its index (y * IMAGENUMBER_X + x) and its bytes. */
export interface IndexedImage extends DataRange {
  imageIndex: number;
}

const VERSION = '01.02';

/**
 * Index.dat (OpenSlide's MIRAX description): a version string and the SLIDE_ID, then 32-bit
 * little-endian values, some of them offsets into the file. Two root pointers lead to tables of
 * records, one per zoom level (hierarchical) and one per non-hierarchical value; each record is a
 * linked list of pages, the first empty. Every offset is checked against the file; page chains
 * that loop or run past the slide's limits stop with a one-line error.
 */
export class MiraxIndex {
  private readonly view: DataView;
  private readonly rootAt: number;

  constructor(
    private readonly path: string,
    private readonly bytes: Uint8Array,
    slideId: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const header = VERSION + slideId;
    const found = Buffer.from(bytes.subarray(0, header.length)).toString('latin1');
    if (found.slice(0, VERSION.length) !== VERSION) throw badSlide(path, `Index.dat does not start with version ${VERSION}`);
    if (found !== header) throw badSlide(path, 'Index.dat belongs to another slide (its SLIDE_ID differs from Slidedat.ini)');
    this.rootAt = header.length;
  }

  /** The images of each zoom level, in index order. */
  zoomLevels(count: number, limits: { datafiles: number; images: number }): IndexedImage[][] {
    const table = this.int(this.rootAt, 'the hierarchical root');
    const levels: IndexedImage[][] = [];
    let total = 0;
    for (let z = 0; z < count; z++) {
      const images: IndexedImage[] = [];
      for (const page of this.pages(this.int(table + 4 * z, `zoom level ${z}'s record`), `zoom level ${z}`)) {
        for (let i = 0; i < page.count; i++) {
          const at = page.itemsAt + 16 * i;
          const [imageIndex, offset, length, fileno] = [0, 4, 8, 12].map((d) => this.int(at + d, `an image of zoom level ${z}`)) as [number, number, number, number];
          if (imageIndex < 0 || imageIndex >= limits.images) throw badSlide(this.path, `Index.dat lists image ${imageIndex} at zoom level ${z}, outside the slide's ${limits.images} images`);
          images.push({ imageIndex, ...this.range(offset, length, fileno, limits.datafiles, `image ${imageIndex} of zoom level ${z}`) });
        }
        total += page.count;
        if (total > SLIDE_LIMITS.maxTilesPerImage) throw badSlide(this.path, `Index.dat lists more than ${SLIDE_LIMITS.maxTilesPerImage} images`);
      }
      levels.push(images);
    }
    return levels;
  }

  /** The data range of non-hierarchical record `recordNo` (its page holds one item: two values, then offset, length, file). */
  nonHierarchical(recordNo: number, datafiles: number, what: string): DataRange {
    const table = this.int(this.rootAt + 4, 'the non-hierarchical root');
    // Only the first page counts: its next pointer is sometimes garbage (OpenSlide notes 1253).
    const [page] = this.pages(this.int(table + 4 * recordNo, `the ${what} record`), `the ${what} record`, false);
    if (!page || page.count < 1) throw badSlide(this.path, `Index.dat has no data for the ${what}`);
    const at = page.itemsAt + 8;
    return this.range(this.int(at, what), this.int(at + 4, what), this.int(at + 8, what), datafiles, what);
  }

  /** The non-empty pages of a record's linked list. */
  private pages(record: number, what: string, follow = true): Array<{ count: number; itemsAt: number }> {
    if (this.int(record, what) !== 0) throw badSlide(this.path, `Index.dat: ${what} does not start with an empty page`);
    const pages: Array<{ count: number; itemsAt: number }> = [];
    const seen = new Set<number>();
    for (let at = this.int(record + 4, what); at !== 0; at = this.int(at + 4, what)) {
      if (seen.has(at)) throw badSlide(this.path, `Index.dat: the pages of ${what} loop back on themselves`);
      seen.add(at);
      const count = this.int(at, what);
      if (count < 0 || at + 8 + 16 * count > this.bytes.length) throw badSlide(this.path, `Index.dat: a page of ${what} claims ${count} items, past the end of the file`);
      if (count > 0) pages.push({ count, itemsAt: at + 8 });
      if (!follow) break;
    }
    return pages;
  }

  private range(offset: number, length: number, fileno: number, datafiles: number, what: string): DataRange {
    if (offset < 0 || length < 0 || length > SLIDE_LIMITS.maxTileBytes) throw badSlide(this.path, `Index.dat gives ${what} offset ${offset} and length ${length}`);
    if (fileno < 0 || fileno >= datafiles) throw badSlide(this.path, `Index.dat puts ${what} in data file ${fileno}, but Slidedat.ini lists ${datafiles}`);
    return { fileno, offset, length };
  }

  /** The signed 32-bit value at `at`, or a one-line error when `at` is outside the file. */
  private int(at: number, what: string): number {
    if (!Number.isInteger(at) || at < 0 || at + 4 > this.bytes.length) throw badSlide(this.path, `Index.dat is truncated or corrupt (${what} points at byte ${at} of ${this.bytes.length})`);
    return this.view.getInt32(at, true);
  }
}
