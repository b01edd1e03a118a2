import { SLIDE_LIMITS } from '../limits';
import { badSlide } from '../slide-error';
import type { XmlNode } from './xml';
import { xmlFindAll } from './xml';

/** One scanned area of interest: a grid of overlapping camera tiles. */
export interface VentanaArea {
  /** The area's first tile in the level-0 TIFF tile grid. */
  startCol: number;
  startRow: number;
  cols: number;
  rows: number;
  /** Top-left of the area on level 0 (Pos-X, and Pos-Y turned to count from the top). */
  x: number;
  y: number;
}

/** Level 0's stitching: where each camera tile goes. */
export interface VentanaStitching {
  areas: VentanaArea[];
  /** Distance between neighbouring camera tiles: the tile size less the mean overlap. */
  advanceX: number;
  advanceY: number;
}

/**
 * Reads level 0's EncodeInfo XMP as OpenSlide's ventana backend does. Each scanned AOI
 * (SlideStitchInfo/ImageInfo with AOIScanned, paired with the AoiOrigin element of the same
 * index) is NumCols x NumRows camera tiles of the TIFF tile size, its origin a whole tile in the
 * TIFF grid. TileJointInfo gives the overlap of each pair of neighbours; tiles are numbered from
 * 1, rows from the bottom, every second row right to left (serpentine). The advance between
 * tiles is the tile size less the confidence-weighted mean overlap; Pos-Y counts from the bottom.
 */
export function ventanaStitching(path: string, encodeInfo: XmlNode, tileWidth: number, tileHeight: number): VentanaStitching {
  const infos = xmlFindAll(encodeInfo, 'SlideStitchInfo').flatMap((s) => s.children.filter((c) => c.name === 'ImageInfo'));
  const origins = xmlFindAll(encodeInfo, 'AoiOrigin').flatMap((o) => o.children);
  if (infos.length === 0 || infos.length !== origins.length) {
    throw badSlide(path, `Ventana level-0 XMP has ${infos.length} ImageInfo and ${origins.length} AoiOrigin elements (they must pair up)`);
  }
  const num = (node: XmlNode, name: string): number => {
    const value = Number(node.attrs.get(name));
    if (node.attrs.get(name) === undefined || !Number.isFinite(value)) throw badSlide(path, `Ventana ${node.name} has no numeric ${name}`);
    return value;
  };
  const areas: Array<VentanaArea & { height: number }> = [];
  let sumX = 0;
  let weightX = 0;
  let sumY = 0;
  let weightY = 0;
  let totalTiles = 0;
  infos.forEach((info, i) => {
    if (num(info, 'AOIScanned') === 0) return;
    const origin = origins[i]!;
    const [width, height] = [num(info, 'Width'), num(info, 'Height')];
    if (width !== tileWidth || height !== tileHeight) throw badSlide(path, `Ventana AOI ${i} has ${width}x${height} camera tiles, but level 0's TIFF tiles are ${tileWidth}x${tileHeight}`);
    const [ox, oy] = [num(origin, 'OriginX'), num(origin, 'OriginY')];
    if (ox < 0 || oy < 0 || ox % tileWidth !== 0 || oy % tileHeight !== 0) throw badSlide(path, `Ventana AOI ${i} origin ${ox},${oy} is not a whole tile`);
    const [cols, rows] = [num(info, 'NumCols'), num(info, 'NumRows')];
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1) throw badSlide(path, `Ventana AOI ${i} has ${cols}x${rows} tiles`);
    totalTiles += cols * rows;
    if (totalTiles > SLIDE_LIMITS.maxTilesPerImage) throw badSlide(path, `Ventana AOIs claim more than ${SLIDE_LIMITS.maxTilesPerImage} tiles`);
    const hasPos = info.attrs.has('Pos-X') && info.attrs.has('Pos-Y');
    const area = { startCol: ox / tileWidth, startRow: oy / tileHeight, cols, rows, x: hasPos ? num(info, 'Pos-X') : Number.NaN, y: hasPos ? num(info, 'Pos-Y') : Number.NaN, height: 0 };
    areas.push(area);
    for (const joint of info.children.filter((c) => c.name === 'TileJointInfo')) {
      const [c1, r1] = tilePosition(path, area, num(joint, 'Tile1'));
      const [c2, r2] = tilePosition(path, area, num(joint, 'Tile2'));
      const direction = joint.attrs.get('Direction');
      const confidence = num(joint, 'Confidence');
      if (direction === 'RIGHT') {
        if (c2 !== c1 + 1 || r2 !== r1) throw badSlide(path, `Ventana joint RIGHT from tile ${c1},${r1} to ${c2},${r2} does not join neighbours`);
        sumX += confidence * num(joint, 'OverlapX');
        weightX += confidence;
      } else if (direction === 'UP') {
        if (c2 !== c1 || r2 !== r1 - 1) throw badSlide(path, `Ventana joint UP from tile ${c1},${r1} to ${c2},${r2} does not join neighbours`);
        sumY += confidence * num(joint, 'OverlapY');
        weightY += confidence;
      } else {
        throw badSlide(path, `Ventana tile joint has direction "${direction ?? ''}" (expected RIGHT or UP)`);
      }
    }
  });
  if (areas.length === 0) throw badSlide(path, 'Ventana level-0 XMP lists no scanned area');
  // No joints (a one-tile area): the tiles abut.
  const advanceX = tileWidth - (weightX > 0 ? sumX / weightX : 0);
  const advanceY = tileHeight - (weightY > 0 ? sumY / weightY : 0);
  if (!(advanceX > 0 && advanceY > 0)) throw badSlide(path, `Ventana overlaps leave no advance between tiles (${advanceX}, ${advanceY})`);
  if (areas.some((a) => Number.isNaN(a.x))) {
    // Older files without Pos-X/Pos-Y: each tile sits at its grid position times the advance.
    for (const a of areas) [a.x, a.y] = [a.startCol * advanceX, a.startRow * advanceY];
  } else {
    // Pos-Y is the distance from the bottom of the area to a line below every area.
    for (const a of areas) a.height = (a.rows - 1) * advanceY + tileHeight;
    const top = Math.max(...areas.map((a) => a.y + a.height));
    for (const a of areas) a.y = top - a.y - a.height;
  }
  return { areas: areas.map(({ height: _height, ...area }) => area), advanceX, advanceY };
}

/** Column and row (from the top) of a 1-based serpentine tile number, counted from the bottom row. */
function tilePosition(path: string, area: VentanaArea, tile: number): [number, number] {
  if (!Number.isInteger(tile) || tile < 1 || tile > area.cols * area.rows) throw badSlide(path, `Ventana tile joint names tile ${tile}, outside its ${area.cols}x${area.rows} area`);
  const fromBottom = Math.floor((tile - 1) / area.cols);
  let col = (tile - 1) % area.cols;
  if (fromBottom % 2 === 1) col = area.cols - 1 - col;
  return [col, area.rows - 1 - fromBottom];
}
