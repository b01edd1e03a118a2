import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import { SLIDE_LIMITS } from '../limits';
import { badSlide } from '../slide-error';
import type { TiffContainer, TiffPage } from '../tiff/tiff-container';
import { tagNumber } from '../tiff/tiff-file';
import type { TiffImage } from '../tiff/tiff-image';
import { Tag } from '../tiff/tiff-tags';
import { plausibleMagnification, plausibleMpp, tiffResolutionMpp } from './resolution';
import type { LevelPlacement, PlacedTile, TiffLayout, TiffVendor } from './tiff-vendor';
import type { XmlNode } from './xml';
import { declaresEntities, xmlFindAll, xmlTree } from './xml';

const NAMESPACES = ['http://www.leica-microsystems.com/scn/2010/03/10', 'http://www.leica-microsystems.com/scn/2010/10/01'];

interface ScnImage {
  node: XmlNode;
  /** Focal plane 0, brightfield dimensions, largest first, each with its TIFF page. */
  dimensions: Array<{ width: number; height: number; page: TiffPage }>;
  view: { x: number; y: number; width: number; height: number } | null;
}

function numberAttr(node: XmlNode | undefined, name: string): number {
  return Number(node?.attrs.get(name));
}

/**
 * Leica SCN (OpenSlide's leica backend): a tiled BigTIFF whose first ImageDescription is an XML
 * collection of images, each a pyramid of dimensions pointing at TIFF directories. The macro is
 * the image that spans the whole collection at (0, 0); the main image is the pyramid we read.
 */
export const leica: TiffVendor = {
  matches(container) {
    const first = container.pages[0]!;
    const head = first.description.slice(0, 4096);
    return first.tiled && head.includes('<scn') && NAMESPACES.some((ns) => head.includes(ns));
  },
  layout(container: TiffContainer): TiffLayout {
    const path = container.path;
    const xml = container.pages[0]!.description;
    if (declaresEntities(xml)) throw badSlide(path, 'Leica ImageDescription XML declares entities, which a scanner never writes (refused as hostile)');
    const root = xmlTree(xml);
    const collection = root?.name === 'scn' ? root.children.find((c) => c.name === 'collection') : undefined;
    if (!collection) throw badSlide(path, 'Leica ImageDescription XML cannot be parsed (no scn collection)');
    const images: ScnImage[] = collection.children.filter((c) => c.name === 'image').map((node) => {
      const pixels = node.children.find((c) => c.name === 'pixels');
      if (pixels?.children.some((d) => d.name === 'dimension' && d.attrs.has('c') && d.attrs.get('c') !== '0')) {
        throw badSlide(path, 'is a fluorescence Leica slide (several channels), which is not supported');
      }
      const dimensions = (pixels?.children ?? [])
        .filter((d) => d.name === 'dimension' && (d.attrs.get('z') ?? '0') === '0')
        .map((d) => {
          const ifd = numberAttr(d, 'ifd');
          const page = Number.isInteger(ifd) ? container.pages[ifd] : undefined;
          if (!page) throw badSlide(path, `Leica XML points at TIFF directory ${d.attrs.get('ifd')}, which the file does not have`);
          return { width: numberAttr(d, 'sizeX'), height: numberAttr(d, 'sizeY'), page };
        })
        .sort((a, b) => b.width - a.width);
      const view = node.children.find((c) => c.name === 'view');
      return { node, dimensions, view: view ? { x: numberAttr(view, 'offsetX'), y: numberAttr(view, 'offsetY'), width: numberAttr(view, 'sizeX'), height: numberAttr(view, 'sizeY') } : null };
    });
    const isMacro = (im: ScnImage): boolean => !!im.view && im.view.x === 0 && im.view.y === 0 && im.view.width === numberAttr(collection, 'sizeX') && im.view.height === numberAttr(collection, 'sizeY');
    const macro = images.find(isMacro);
    const mains = images.filter((im) => im !== macro && im.dimensions.length > 0).sort((a, b) => b.dimensions[0]!.width - a.dimensions[0]!.width);
    const main = mains[0];
    if (!main) throw badSlide(path, 'Leica XML describes no main image');
    const levelsOf = (image: ScnImage): TiffImage[] => {
      const levels: TiffImage[] = [];
      for (const dim of image.dimensions) {
        const last = levels[levels.length - 1];
        if (dim.page.width !== dim.width || dim.page.height !== dim.height) throw badSlide(path, `Leica XML says a dimension is ${dim.width}x${dim.height}, but its TIFF directory is ${dim.page.width}x${dim.page.height}`);
        if (!last || (dim.width < last.width && dim.height < last.height)) levels.push(dim.page);
      }
      return levels;
    };
    const levels = levelsOf(main);
    const associated = new Map<AssociatedImageName, TiffImage>();
    if (macro?.dimensions[0]) associated.set('macro', macro.dimensions[0].page);
    const base = levels[0]!;
    let { mppX, mppY } = tiffResolutionMpp(tagNumber(base.ifd, Tag.XResolution), tagNumber(base.ifd, Tag.YResolution), tagNumber(base.ifd, Tag.ResolutionUnit));
    if (mppX === null && main.view) {
      // The view's size is in nanometres.
      mppX = plausibleMpp(main.view.width / base.width / 1000);
      mppY = plausibleMpp(main.view.height / base.height / 1000);
    }
    const objective = xmlFindAll(main.node, 'objective')[0]?.text;
    const layout: TiffLayout = { format: 'scn', vendor: 'leica', levels, associated, mppX, mppY, magnification: plausibleMagnification(Number(objective)) };
    if (mains.length > 1) {
      const collectionSize = { width: numberAttr(collection, 'sizeX'), height: numberAttr(collection, 'sizeY') };
      layout.placements = compositeRegions(path, collectionSize, mains.map((im) => ({ view: im.view, levels: levelsOf(im) })));
      layout.levels = layout.levels.slice(0, layout.placements.length);
    }
    return layout;
  },
};

/**
 * Several main images (regions scanned apart on one glass slide), composited as OpenSlide's leica
 * backend does: each level spans the whole collection at that level's nanometres per pixel (from
 * the largest region), and each region's tiles sit at its view offset. Regions must share the
 * level's resolution (within 2 %); levels that not every region has are dropped.
 */
function compositeRegions(path: string, collection: { width: number; height: number }, regions: Array<{ view: ScnImage['view']; levels: TiffImage[] }>): LevelPlacement[] {
  const count = Math.min(...regions.map((r) => r.levels.length));
  const placements: LevelPlacement[] = [];
  for (let level = 0; level < count; level++) {
    const nmPerPixel = (r: (typeof regions)[number]): number => (r.view ? r.view.width / r.levels[level]!.width : Number.NaN);
    const scale = nmPerPixel(regions[0]!);
    if (!(scale > 0) || !(collection.width > 0) || !(collection.height > 0)) throw badSlide(path, 'Leica XML lacks the view or collection sizes that place its regions');
    const tiles: PlacedTile[] = [];
    for (const region of regions) {
      if (!(Math.abs(nmPerPixel(region) / scale - 1) <= 0.02)) throw badSlide(path, `Leica regions have different resolutions at level ${level}`);
      const image = region.levels[level]!;
      const [ox, oy] = [Math.round(region.view!.x / scale), Math.round(region.view!.y / scale)];
      for (let ty = 0; ty < image.tilesDown; ty++) {
        for (let tx = 0; tx < image.tilesAcross; tx++) {
          const [x, y] = [tx * image.tileWidth, ty * image.tileHeight];
          tiles.push({ image, tileX: tx, tileY: ty, x: ox + x, y: oy + y, width: Math.min(image.tileWidth, image.width - x), height: Math.min(image.tileHeight, image.height - y), sourceX: 0, sourceY: 0 });
        }
      }
    }
    const width = Math.ceil(collection.width / scale);
    const height = Math.ceil(collection.height / scale);
    if (width > SLIDE_LIMITS.maxDimension || height > SLIDE_LIMITS.maxDimension) throw badSlide(path, `Leica collection is ${width}x${height} pixels at level ${level}, larger than the limit`);
    placements.push({ width, height, tiles });
  }
  return placements;
}
