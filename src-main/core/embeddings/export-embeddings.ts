import fs from 'node:fs';
import path from 'node:path';
import type { ProjectStore } from '../project/project-store';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';
import { TilesRepo } from '../project/repos/tiles-repo';
import { HistoError } from '../errors';
import { recordAudit } from '../project/repos/audit-repo';
import { writeFileWhole } from '../project/disk-full';

interface TileKey {
  source: string;
  x: number;
  y: number;
}

/** Quotes a CSV field when it needs it (RFC 4180), and defuses spreadsheet formula injection. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function tileKeys(store: ProjectStore, tileIds: Int32Array): TileKey[] {
  const placeOf = new TilesRepo(store.db).placeLookup();
  return Array.from(tileIds, (id) => placeOf(id)!);
}

/** The header of a NumPy .npy v1.0 file holding a C-order float32 matrix. */
function npyHeader(rows: number, columns: number): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`;
  const unpadded = 10 + dict.length + 1;
  const padding = (64 - (unpadded % 64)) % 64;
  const header = Buffer.alloc(10);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(dict.length + padding + 1, 8);
  return Buffer.concat([header, Buffer.from(dict + ' '.repeat(padding) + '\n', 'latin1')]);
}

/**
 * Writes a backbone's stored vectors of one view (or every view) as CSV
 * (`source,x,y,view,e0..`) or as .npy with a `.keys.csv` sidecar (`source,x,y,view`).
 */
export function exportEmbeddings(store: ProjectStore, backbone: StoredBackbone, out: string, view: number | null): { rows: number; dim: number; files: string[] } {
  const ext = path.extname(out).toLowerCase();
  if (ext !== '.csv' && ext !== '.npy') throw new HistoError('VALIDATION', `${out}: export to .csv or .npy`);
  if (!fs.existsSync(path.dirname(path.resolve(out)))) throw new HistoError('NOT_FOUND', `${path.dirname(path.resolve(out))}: folder does not exist`);
  const matrix = new EmbeddingsRepo(store.db).loadMatrix(backbone.id, backbone.dim, { view });
  const keys = tileKeys(store, matrix.tileIds);
  const keyLine = (i: number) => `${csvField(keys[i]!.source)},${keys[i]!.x},${keys[i]!.y},${matrix.views[i]}`;
  const files: string[] = [];
  if (ext === '.csv') {
    writeFileWhole(out, (put) => {
      put(`source,x,y,view,${Array.from({ length: matrix.dim }, (_, d) => `e${d}`).join(',')}\n`);
      for (let i = 0; i < matrix.count; i++) {
        const values = Array.from(matrix.vectors.subarray(i * matrix.dim, (i + 1) * matrix.dim), (v) => String(v));
        put(`${keyLine(i)},${values.join(',')}\n`);
      }
    });
    files.push(out);
  } else {
    const body = Buffer.from(matrix.vectors.buffer, matrix.vectors.byteOffset, matrix.count * matrix.dim * 4);
    writeFileWhole(out, (put) => put(Buffer.concat([npyHeader(matrix.count, matrix.dim), body])));
    const keysFile = out.replace(/\.npy$/i, '.keys.csv');
    writeFileWhole(keysFile, (put) => put(['source,x,y,view', ...keys.map((_, i) => keyLine(i))].join('\n') + '\n'));
    files.push(out, keysFile);
  }
  recordAudit(store.db, 'embeddings.export', { backbone: backbone.name, view, rows: matrix.count, files }, backbone.sha256);
  return { rows: matrix.count, dim: matrix.dim, files };
}
