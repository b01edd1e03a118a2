/** Polygons in level-0 pixels: rings of [x, y]; the first ring is the outline, the rest holes. */
export type Ring = Array<[number, number]>;
export type Polygon = Ring[];

/** Even-odd ray casting: inside the outline and outside every hole. */
export function pointInPolygon(x: number, y: number, polygon: Polygon): boolean {
  let inside = false;
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

export function polygonBounds(polygons: readonly Polygon[]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const polygon of polygons) {
    for (const [x, y] of polygon[0] ?? []) {
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  return { minX, minY, maxX, maxY };
}

/** A closed ring (first position repeated last) of an axis-aligned rectangle. */
export function rectanglePolygon(x0: number, y0: number, x1: number, y1: number): Polygon {
  const [left, right] = [Math.min(x0, x1), Math.max(x0, x1)];
  const [top, bottom] = [Math.min(y0, y1), Math.max(y0, y1)];
  return [[[left, top], [right, top], [right, bottom], [left, bottom], [left, top]]];
}

/** Closes an outline (repeats its first position last) unless it is closed already. */
export function closedRing(points: ReadonlyArray<readonly [number, number]>): Ring {
  const ring = points.map(([x, y]) => [x, y] as [number, number]);
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) ring.push([first[0], first[1]]);
  return ring;
}

const CAP_SIDES = 12;

/**
 * A brush stroke (the path of its centre and its radius, level-0 pixels) as polygons: one capsule per
 * segment (a rectangle along it, a 12-gon cap at each end), which together cover what the brush
 * painted. Exported as one MultiPolygon, they read in QuPath as the stroke.
 */
export function brushPolygons(path: ReadonlyArray<readonly [number, number]>, radius: number): Polygon[] {
  if (path.length === 0 || !(radius > 0)) return [];
  const disc = (cx: number, cy: number): Polygon => [
    closedRing(Array.from({ length: CAP_SIDES }, (_, i) => [cx + radius * Math.cos((2 * Math.PI * i) / CAP_SIDES), cy + radius * Math.sin((2 * Math.PI * i) / CAP_SIDES)] as const)),
  ];
  const polygons: Polygon[] = [disc(path[0]![0], path[0]![1])];
  for (let i = 1; i < path.length; i++) {
    const [ax, ay] = path[i - 1]!;
    const [bx, by] = path[i]!;
    const length = Math.hypot(bx - ax, by - ay);
    if (length === 0) continue;
    // The segment's normal, scaled to the radius, offsets its two long sides.
    const nx = (-(by - ay) / length) * radius;
    const ny = ((bx - ax) / length) * radius;
    polygons.push([closedRing([[ax + nx, ay + ny], [bx + nx, by + ny], [bx - nx, by - ny], [ax - nx, ay - ny]])]);
    polygons.push(disc(bx, by));
  }
  return polygons;
}

/** Whether (x, y) lies in any of the polygons (an annotation's area). */
export function pointInPolygons(x: number, y: number, polygons: readonly Polygon[]): boolean {
  return polygons.some((polygon) => pointInPolygon(x, y, polygon));
}
