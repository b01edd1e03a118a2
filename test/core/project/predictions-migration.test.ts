import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../src-main/core/project/migrations';
import { PROJECT_APPLICATION_ID } from '../../../src-main/core/project/project-file-check';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { PredictionsRepo } from '../../../src-main/core/project/repos/predictions-repo';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

/** A schema-6 project with one head's probabilities over 50 tiles (and one row whose tile is gone). */
function schema6Project(file: string): Array<[number, number[]]> {
  const db = new Database(file);
  db.pragma(`application_id = ${PROJECT_APPLICATION_ID}`);
  for (const m of migrations.filter((m) => m.version <= 6)) {
    db.exec(m.sql);
    m.run?.(db);
  }
  db.pragma('user_version = 6');
  const now = new Date().toISOString();
  db.prepare(`INSERT INTO backbones (id, name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, added_at) VALUES (1, 'gen', 'none', '0', 32, '[0,0,0]', '[1,1,1]', 'input', 'output', 8, ?)`).run(now);
  db.prepare(`INSERT INTO slides (id, path, fingerprint, format, width, height, levels_json, added_at) VALUES (1, '/gen/a.tif', 'fp', 'tiff', 4096, 4096, '[]', ?)`).run(now);
  db.prepare(`INSERT INTO tilings (id, slide_id, tile_size, params_key, created_at) VALUES (1, 1, 32, 'k', ?)`).run(now);
  db.prepare(`INSERT INTO tasks (id, name, classes_json, created_at) VALUES (1, 't', '["a","b","c"]', ?)`).run(now);
  db.prepare(`INSERT INTO heads (id, task_id, backbone_id, kind, params_json, seed, metrics_json, train_seconds, weights, created_at) VALUES (1, 1, 1, 'logreg', '{}', 1, '{}', 0, x'00', ?)`).run(now);
  const addTile = db.prepare('INSERT INTO tiles (tiling_id, x, y, width, height, tissue) VALUES (1, ?, 0, 32, 32, 1)');
  const addPrediction = db.prepare('INSERT INTO predictions (head_id, tile_id, probs) VALUES (1, ?, ?)');
  const stored: Array<[number, number[]]> = [];
  for (let i = 49; i >= 0; i--) {
    const tileId = Number(addTile.run(i * 32).lastInsertRowid);
    const probs = [i / 100, 0.5, 0.5 - i / 100];
    addPrediction.run(tileId, Buffer.from(Float32Array.from(probs).buffer));
    stored.push([tileId, Array.from(Float32Array.from(probs))]);
  }
  db.pragma('foreign_keys = OFF'); // an orphan as a file written without them could hold: its tile is gone
  addPrediction.run(999, Buffer.from(Float32Array.from([1, 0, 0]).buffer));
  db.close();
  return stored.sort((a, b) => a[0] - b[0]);
}

describe('migration 7: predictions without rowid', () => {
  it('carries every reachable prediction over byte for byte, drops the orphan, and keeps a backup', () => {
    const file = path.join(tempDir(), 'old.histo');
    const stored = schema6Project(file);
    const store = ProjectStore.open(file);
    try {
      expect(store.schemaVersion).toBeGreaterThanOrEqual(7);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
      const sql = (store.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'predictions'").pluck().get() as string).replace(/\s+/g, ' ');
      expect(sql).toContain('WITHOUT ROWID');
      const repo = new PredictionsRepo(store.db);
      expect(repo.countOfHead(1)).toBe(stored.length);
      const after = Array.from(repo.iterateOfHead(1), ([tileId, blob]) => [tileId, Array.from(new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)))]);
      expect(after).toEqual(stored);
      // Writes replace by (head, tile) as before.
      repo.writeMany(1, Int32Array.of(stored[0]![0]), Float32Array.of(0, 0, 1), 3);
      expect(Array.from(new Float32Array(Uint8Array.from(repo.probsOf(1, stored[0]![0])!).buffer))).toEqual([0, 0, 1]);
      expect(repo.countOfHead(1)).toBe(stored.length);
    } finally {
      store.close();
    }
    expect(fs.existsSync(`${file}.bak-v6`)).toBe(true);
  });
});
