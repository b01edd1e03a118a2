import Database from 'better-sqlite3';

export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

const count = (db: Database.Database, sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;

/**
 * What must hold of the project after any mix of operations, cancels and kills: a sound file, no
 * orphans, no half-written vectors, every embedded tile exactly once, and an audit entry for every
 * action the soak saw complete.
 */
export function checkProjectInvariants(project: string, completed: ReadonlyMap<string, number>, expectedEmbeddings: { backbone: string; rows: number }): InvariantResult[] {
  const db = new Database(project, { readonly: true, fileMustExist: true });
  const results: InvariantResult[] = [];
  const check = (name: string, ok: boolean, detail: string) => results.push({ name, ok, detail });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    check('integrity_check', integrity === 'ok', String(integrity));
    const foreign = db.pragma('foreign_key_check') as unknown[];
    check('no orphan rows (foreign_key_check)', foreign.length === 0, `${foreign.length} rows point at nothing`);
    const orphanLabels = count(db, 'SELECT count(*) AS n FROM labels l LEFT JOIN tiles t ON t.id = l.tile_id WHERE t.id IS NULL');
    const orphanPredictions = count(db, 'SELECT count(*) AS n FROM predictions p LEFT JOIN heads h ON h.id = p.head_id WHERE h.id IS NULL');
    check('no orphan labels or predictions', orphanLabels + orphanPredictions === 0, `${orphanLabels} labels, ${orphanPredictions} predictions`);
    const badVectors = count(
      db,
      `SELECT count(*) AS n FROM embedding_blocks k JOIN backbones b ON b.id = k.backbone_id
       WHERE length(k.vectors) <> k.count * b.dim * (CASE k.dtype WHEN 'float16' THEN 2 ELSE 4 END) OR length(k.tile_ids) <> k.count * 4`,
    );
    check('no half-written vector blocks', badVectors === 0, `${badVectors} blocks of the wrong length`);
    const unindexed = count(db, 'SELECT count(*) AS n FROM embeddings e LEFT JOIN embedding_blocks k ON k.id = e.block_id WHERE k.id IS NULL OR e.slot >= k.count');
    check('every indexed vector lies in its block', unindexed === 0, `${unindexed} index rows point outside their block`);
    const rows = count(db, 'SELECT count(*) AS n FROM embeddings e JOIN backbones b ON b.id = e.backbone_id WHERE b.name = ? AND e.view = 0', expectedEmbeddings.backbone);
    check('every tile embedded exactly once (original view) after a final resume', rows === expectedEmbeddings.rows, `${rows} rows, expected ${expectedEmbeddings.rows}`);
    const duplicates = count(db, 'SELECT count(*) AS n FROM (SELECT 1 FROM embeddings GROUP BY backbone_id, tile_id, view HAVING count(*) > 1)');
    check('no duplicate embeddings', duplicates === 0, `${duplicates} duplicated (backbone, tile, view)`);
    const audit = new Map((db.prepare('SELECT action, count(*) AS n FROM audit_log GROUP BY action').all() as Array<{ action: string; n: number }>).map((r) => [r.action, r.n]));
    for (const [action, done] of completed) {
      const logged = audit.get(action) ?? 0;
      check(`audit entries for every completed ${action}`, logged >= done, `${done} completed, ${logged} logged`);
    }
  } finally {
    db.close();
  }
  return results;
}

/**
 * Memory that keeps growing: within the longest-lived server process, the median of the last
 * quarter of samples against the first quarter (after warm-up), with room for caches to fill.
 */
export function checkRssGrowth(incarnations: ReadonlyArray<number[]>): InvariantResult {
  const longest = [...incarnations].sort((a, b) => b.length - a.length)[0] ?? [];
  if (longest.length < 12) return { name: 'RSS does not keep growing', ok: true, detail: `only ${longest.length} samples in one server lifetime: not judged` };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const quarter = Math.floor(longest.length / 4);
  const early = median(longest.slice(quarter, 2 * quarter));
  const late = median(longest.slice(-quarter));
  const MB = 1024 * 1024;
  const ok = late <= early * 1.5 + 64 * MB;
  return { name: 'RSS does not keep growing', ok, detail: `median ${(early / MB).toFixed(0)} MB early, ${(late / MB).toFixed(0)} MB late (${longest.length} samples)` };
}
