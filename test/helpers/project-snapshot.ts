import Database from 'better-sqlite3';

/**
 * What a project holds, independent of row ids and paths: slides by fingerprint, their tiles by
 * tiling and position, and every vector's bytes as hex. Two projects with equal snapshots hold
 * the same slides, tiles and bitwise-identical vectors.
 */
export interface ProjectSnapshot {
  slides: string[];
  tiles: string[];
  vectors: Map<string, string>;
  counts: { slides: number; tilings: number; tiles: number; embeddings: number; predictions: number };
}

export function projectSnapshot(file: string): ProjectSnapshot {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const slides = (db.prepare('SELECT fingerprint FROM slides ORDER BY fingerprint').all() as Array<{ fingerprint: string }>).map((r) => r.fingerprint);
    const tiles = (
      db
        .prepare('SELECT s.fingerprint || \'|\' || g.params_key || \'|\' || t.x || \',\' || t.y || \',\' || t.width || \',\' || t.height || \',\' || t.tissue AS k FROM tiles t JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id')
        .all() as Array<{ k: string }>
    )
      .map((r) => r.k)
      .sort();
    const vectors = new Map<string, string>();
    const rows = db
      .prepare('SELECT s.fingerprint AS f, g.params_key AS p, t.x AS x, t.y AS y, b.sha256 AS b, e.view AS v, e.slot AS slot, k.count AS count, k.vectors AS block FROM embeddings e JOIN embedding_blocks k ON k.id = e.block_id JOIN tiles t ON t.id = e.tile_id JOIN tilings g ON g.id = t.tiling_id JOIN slides s ON s.id = g.slide_id JOIN backbones b ON b.id = e.backbone_id')
      .iterate() as IterableIterator<{ f: string; p: string; x: number; y: number; b: string; v: number; slot: number; count: number; block: Buffer }>;
    for (const r of rows) {
      const size = r.block.byteLength / r.count;
      vectors.set(`${r.f}|${r.p}|${r.x},${r.y}|${r.b.slice(0, 12)}|${r.v}`, r.block.subarray(r.slot * size, (r.slot + 1) * size).toString('hex'));
    }
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { slides, tiles, vectors, counts: { slides: count('slides'), tilings: count('tilings'), tiles: count('tiles'), embeddings: count('embeddings'), predictions: count('predictions') } };
  } finally {
    db.close();
  }
}
