import type Database from 'better-sqlite3';
import { HistoError } from '../../errors';

export interface StoredBackbone {
  id: number;
  name: string;
  filePath: string;
  sha256: string;
  inputSize: number;
  mean: [number, number, number];
  std: [number, number, number];
  inputName: string;
  outputName: string;
  dim: number;
  source: string | null;
  license: string | null;
  builtin: boolean;
}

export type NewBackbone = Omit<StoredBackbone, 'id'>;

interface BackboneRow {
  id: number;
  name: string;
  file_path: string;
  sha256: string;
  input_size: number;
  mean_json: string;
  std_json: string;
  input_name: string;
  output_name: string;
  dim: number;
  source: string | null;
  license: string | null;
  builtin: number;
}

function fromRow(r: BackboneRow): StoredBackbone {
  return {
    id: r.id,
    name: r.name,
    filePath: r.file_path,
    sha256: r.sha256,
    inputSize: r.input_size,
    mean: JSON.parse(r.mean_json) as StoredBackbone['mean'],
    std: JSON.parse(r.std_json) as StoredBackbone['std'],
    inputName: r.input_name,
    outputName: r.output_name,
    dim: r.dim,
    source: r.source,
    license: r.license,
    builtin: r.builtin === 1,
  };
}

export class BackbonesRepo {
  constructor(private readonly db: Database.Database) {}

  insert(b: NewBackbone): StoredBackbone {
    const clash = this.db.prepare('SELECT id FROM backbones WHERE name = ?').get(b.name);
    if (clash) throw new HistoError('ALREADY_EXISTS', `a backbone named '${b.name}' is already in this project; type another Name`, { cli: `a backbone named '${b.name}' is already in this project; choose another --name` });
    const result = this.db
      .prepare(
        `INSERT INTO backbones (name, file_path, sha256, input_size, mean_json, std_json, input_name, output_name, dim, source, license, builtin, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(b.name, b.filePath, b.sha256, b.inputSize, JSON.stringify(b.mean), JSON.stringify(b.std), b.inputName, b.outputName, b.dim, b.source, b.license, b.builtin ? 1 : 0, new Date().toISOString());
    return this.get(Number(result.lastInsertRowid))!;
  }

  get(id: number): StoredBackbone | undefined {
    const row = this.db.prepare('SELECT * FROM backbones WHERE id = ?').get(id) as BackboneRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  findByName(name: string): StoredBackbone | undefined {
    const row = this.db.prepare('SELECT * FROM backbones WHERE name = ?').get(name) as BackboneRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(): StoredBackbone[] {
    return (this.db.prepare('SELECT * FROM backbones ORDER BY id').all() as BackboneRow[]).map(fromRow);
  }

  /** A backbone by id ("3") or by name, as the CLI and UI name them. */
  resolve(idOrName: string | number): StoredBackbone {
    const text = String(idOrName);
    const found = /^\d+$/.test(text) ? (this.get(Number(text)) ?? this.findByName(text)) : this.findByName(text);
    if (!found) {
      const known = this.list().map((b) => `${b.id} (${b.name})`).join(', ') || 'none';
      throw new HistoError('NOT_FOUND', `no backbone '${text}' in this project (known: ${known})`);
    }
    return found;
  }

  /** Rows as stored (every column, by column name) of the backbones with this model file; a merge compares them column by column. */
  rowsWithSha256(sha256: string): Array<Record<string, unknown>> {
    return this.db.prepare('SELECT * FROM backbones WHERE sha256 = ? ORDER BY id').all(sha256) as Array<Record<string, unknown>>;
  }

  /** Rows as stored of the backbones that have vectors in this project. */
  rowsWithVectors(): Array<Record<string, unknown>> {
    return this.db.prepare('SELECT * FROM backbones WHERE id IN (SELECT DISTINCT backbone_id FROM embeddings) ORDER BY id').all() as Array<Record<string, unknown>>;
  }

  sha256OfName(name: string): string | undefined {
    return (this.db.prepare('SELECT sha256 FROM backbones WHERE name = ?').get(name) as { sha256: string } | undefined)?.sha256;
  }
}
