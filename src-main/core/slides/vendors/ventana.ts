import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import { SLIDE_LIMITS } from '../limits';
import { badSlide } from '../slide-error';
import type { TiffContainer, TiffPage } from '../tiff/tiff-container';
import type { TiffImage } from '../tiff/tiff-image';
import { plausibleMagnification, plausibleMpp } from './resolution';
import type { LevelPlacement, PlacedTile, TiffLayout, TiffVendor } from './tiff-vendor';
import type { VentanaStitching } from './ventana-stitching';
import { ventanaStitching } from './ventana-stitching';
import type { XmlNode } from './xml';
import { declaresEntities, xmlTree } from './xml';

/** Associated images by ImageDescription, as OpenSlide names them ("Label Image" is the slide photo). */
const ASSOCIATED: Readonly<Record<string, AssociatedImageName>> = { 'Label Image': 'macro', Label_Image: 'macro', Thumbnail: 'thumbnail' };

function parseXmp(path: string, xmp: string, what: string): XmlNode {
  if (declaresEntities(xmp)) throw badSlide(path, `Ventana ${what} XMP declares entities, which a scanner never writes (refused as hostile)`);
  const root = xmlTree(xmp);
  if (!root) throw badSlide(path, `Ventana ${what} XMP cannot be parsed`);
  return root;
}

/** The iScan element: the XMP root, or a child of a Metadata root. */
function iScanElement(root: XmlNode): XmlNode | undefined {
  if (root.name === 'iScan') return root;
  return root.name === 'Metadata' ? root.children.find((c) => c.name === 'iScan') : undefined;
}

/** `level=N mag=M quality=Q` of a level's ImageDescription. */
function levelFields(description: string): { level: number; mag: number } | null {
  if (!description.includes('level=')) return null;
  const fields = new Map(description.split(' ').map((pair): [string, string] => {
    const eq = pair.indexOf('=');
    return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
  }));
  return { level: Number(fields.get('level')), mag: Number(fields.get('mag')) };
}

/**
 * Roche/Ventana BIF (OpenSlide's ventana backend): the first page's XMP holds an iScan element
 * (ScanRes is mpp, Magnification the objective); levels are pages described
 * `level=N mag=M`, their downsample the ratio of magnifications. Level 0 is a mosaic of
 * overlapping camera tiles that its EncodeInfo XMP places (ventana-stitching.ts); each tile of
 * a level N > 0 holds downsample x downsample camera tiles shrunk side by side, overlaps and all,
 * so every level is stitched from the same positions. Without EncodeInfo the file is a plain
 * tiled pyramid (a Ventana TIFF).
 */
export const ventana: TiffVendor = {
  matches: (container) => container.pages.some((page) => /<iScan\b/.test(page.xmp)),
  layout(container: TiffContainer): TiffLayout {
    const path = container.path;
    const iscanPage = container.pages.find((page) => /<iScan\b/.test(page.xmp))!;
    const iscan = iScanElement(parseXmp(path, iscanPage.xmp, 'iScan'));
    if (!iscan) throw badSlide(path, 'Ventana XMP has no iScan element under its root');

    const levels: Array<{ page: TiffPage; mag: number }> = [];
    const associated = new Map<AssociatedImageName, TiffImage>();
    for (const page of container.pages) {
      const fields = levelFields(page.description);
      if (!fields) {
        const name = ASSOCIATED[page.description.trim()];
        if (name && !associated.has(name)) associated.set(name, page);
        continue;
      }
      if (fields.level !== levels.length) throw badSlide(path, `Ventana level ${fields.level} comes where level ${levels.length} was expected`);
      const previous = levels[levels.length - 1];
      if (!(fields.mag > 0) || (previous && fields.mag >= previous.mag)) throw badSlide(path, `Ventana level ${fields.level} has magnification ${fields.mag}, not below the level before`);
      if (!page.tiled) throw badSlide(path, `Ventana level ${fields.level} (image ${page.ifd.id}) is not tiled`);
      if (previous && (page.tileWidth !== levels[0]!.page.tileWidth || page.tileHeight !== levels[0]!.page.tileHeight)) {
        throw badSlide(path, `Ventana level ${fields.level} has ${page.tileWidth}x${page.tileHeight} tiles, unlike level 0's ${levels[0]!.page.tileWidth}x${levels[0]!.page.tileHeight}`);
      }
      levels.push({ page, mag: fields.mag });
    }
    if (levels.length === 0) throw badSlide(path, 'Ventana file has no page described as a level (level=N mag=M)');

    const base = levels[0]!.page;
    const layout: TiffLayout = {
      format: 'bif', vendor: 'ventana', levels: levels.map((l) => l.page), associated,
      mppX: plausibleMpp(Number(iscan.attrs.get('ScanRes'))),
      mppY: plausibleMpp(Number(iscan.attrs.get('ScanRes'))),
      magnification: plausibleMagnification(Number(iscan.attrs.get('Magnification'))),
    };
    if (!base.xmp) return layout;
    const encodeInfo = parseXmp(path, base.xmp, 'level-0');
    if (encodeInfo.name !== 'EncodeInfo') return layout;
    const stitching = ventanaStitching(path, encodeInfo, base.tileWidth, base.tileHeight);
    layout.placements = levels.map((l) => placeLevel(path, stitching, l.page, levels[0]!.mag / l.mag));
    return layout;
  },
};

/**
 * Where each camera tile goes on a level of this downsample: at its level-0 position divided by
 * the downsample, rounded to a whole pixel; painted in row, then column order (the later on
 * top). The level's size holds every tile, as OpenSlide sizes it.
 */
function placeLevel(path: string, stitching: VentanaStitching, image: TiffImage, downsample: number): LevelPlacement {
  if (!Number.isInteger(downsample)) throw badSlide(path, `Ventana level image ${image.ifd.id} has a downsample of ${downsample}, which is not a whole number`);
  const subW = image.tileWidth / downsample;
  const subH = image.tileHeight / downsample;
  const tiles: Array<PlacedTile & { order: [number, number] }> = [];
  let right = 0;
  let bottom = 0;
  for (const area of stitching.areas) {
    for (let r = 0; r < area.rows; r++) {
      for (let c = 0; c < area.cols; c++) {
        const fx = (area.x + c * stitching.advanceX) / downsample;
        const fy = (area.y + r * stitching.advanceY) / downsample;
        right = Math.max(right, fx + subW);
        bottom = Math.max(bottom, fy + subH);
        const [col, row] = [area.startCol + c, area.startRow + r];
        const [tileX, tileY] = [Math.floor(col / downsample), Math.floor(row / downsample)];
        // A camera tile outside the TIFF's tile grid has no pixels: background.
        if (tileX >= image.tilesAcross || tileY >= image.tilesDown) continue;
        tiles.push({
          x: Math.round(fx), y: Math.round(fy), width: Math.round(subW), height: Math.round(subH), tileX, tileY,
          sourceX: Math.round((col % downsample) * subW), sourceY: Math.round((row % downsample) * subH), order: [row, col],
        });
      }
    }
  }
  tiles.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
  if (!(right >= 1 && bottom >= 1 && right <= SLIDE_LIMITS.maxDimension && bottom <= SLIDE_LIMITS.maxDimension)) {
    throw badSlide(path, `Ventana areas span ${Math.ceil(right)}x${Math.ceil(bottom)} pixels at downsample ${downsample} (limit ${SLIDE_LIMITS.maxDimension})`);
  }
  return { width: Math.ceil(right), height: Math.ceil(bottom), tiles: tiles.map(({ order: _order, ...tile }) => tile) };
}
