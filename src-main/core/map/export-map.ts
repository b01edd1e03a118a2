import fs from 'node:fs';
import path from 'node:path';
import { HistoError } from '../errors';
import type { ProjectStore } from '../project/project-store';
import type { StoredMap } from '../project/repos/maps-repo';
import { TilesRepo } from '../project/repos/tiles-repo';

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Writes a stored map, one row per tile: tile id, slide file, tile position (level-0 pixels) and
 * map coordinates, as CSV or JSON by the file's extension. Written to a temporary name and renamed,
 * so a failed write never leaves half a file under the requested name.
 */
export function exportMap(store: ProjectStore, map: StoredMap, file: string): { file: string; tiles: number } {
  const resolved = path.resolve(file);
  const ext = path.extname(resolved).toLowerCase();
  if (ext !== '.csv' && ext !== '.json') throw new HistoError('VALIDATION', `${resolved}: unsupported map file type '${ext}' (use .csv or .json)`);
  if (!fs.existsSync(path.dirname(resolved))) throw new HistoError('NOT_FOUND', `${path.dirname(resolved)}: folder does not exist`);
  const placeOf = new TilesRepo(store.db).placeLookup();
  const rows: Array<{ tileId: number; source: string; x: number; y: number; mapX: number; mapY: number }> = [];
  map.tileIds.forEach((tileId, i) => {
    const found = placeOf(tileId);
    if (found) rows.push({ tileId, ...found, mapX: map.coords[i * 2]!, mapY: map.coords[i * 2 + 1]! });
  });
  const text =
    ext === '.json'
      ? JSON.stringify({ method: map.method, createdAt: map.createdAt, tiles: rows })
      : ['tileId,source,x,y,mapX,mapY', ...rows.map((r) => `${r.tileId},${csvField(r.source)},${r.x},${r.y},${r.mapX},${r.mapY}`)].join('\n') + '\n';
  const temporary = `${resolved}.partial`;
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, resolved);
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    throw new HistoError('BAD_INPUT', `${resolved}: cannot write the map (${(err as Error).message})`);
  }
  return { file: resolved, tiles: rows.length };
}
