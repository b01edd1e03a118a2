import fs from 'node:fs';
import path from 'node:path';
import { HistoError } from '../errors';
import { collectInputs } from '../extraction/collect-inputs';
import { SCRIPT_NAME, sbatchScript, shardFileName, type SbatchOptions } from './sbatch-script';

/** DIR/cluster.json: what a shard folder was made for, so merge knows how many shards to expect. */
export interface ClusterManifest {
  shards: number;
  backbone: string;
  script: string;
  createdAt: string;
}

export const MANIFEST_NAME = 'cluster.json';

export type ShardState = 'done' | 'failed' | 'missing';

/**
 * Makes the shard folder: the list of inputs (absolute paths, so nodes need no working
 * directory), the manifest and the array script. Returns the script's path.
 */
export function writeShardFolder(options: Omit<SbatchOptions, 'slidesList'> & { slides: string }): { script: string; inputs: number } {
  const outDir = path.resolve(options.outDir);
  fs.mkdirSync(path.join(outDir, 'logs'), { recursive: true });
  const given = path.resolve(options.slides);
  if (!fs.existsSync(given)) throw new HistoError('NOT_FOUND', `${given}: no such slide list or folder`);
  const lines = fs.statSync(given).isDirectory()
    ? [given]
    : fs
        .readFileSync(given, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((l) => path.resolve(path.dirname(given), l));
  if (lines.length === 0) throw new HistoError('BAD_INPUT', `${given}: lists no slides`);
  // Checked here, on the workstation, rather than failing in every array task.
  const inputs = collectInputs(lines).length;
  if (inputs === 0) throw new HistoError('BAD_INPUT', `${given}: no slide or patch image found in the listed paths`);
  const slidesList = path.join(outDir, 'slides.txt');
  fs.writeFileSync(slidesList, lines.join('\n') + '\n');
  const script = path.join(outDir, SCRIPT_NAME);
  fs.writeFileSync(script, sbatchScript({ ...options, outDir, slidesList }), { mode: 0o755 });
  const manifest: ClusterManifest = { shards: options.shards, backbone: options.backbone, script, createdAt: new Date().toISOString() };
  fs.writeFileSync(path.join(outDir, MANIFEST_NAME), JSON.stringify(manifest, null, 2));
  return { script, inputs };
}

export function readManifest(dir: string): ClusterManifest {
  const file = path.join(path.resolve(dir), MANIFEST_NAME);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterManifest;
  } catch (err) {
    const reason = (err as Error).message;
    throw new HistoError('NOT_FOUND', `${file}: not a shard folder written by Write script in Backbones → Slurm (${reason})`, { cli: `${file}: not a shard folder written by 'histo cluster sbatch' (${reason})` });
  }
}

/** Each shard's state from the files its task left: done, failed (with why) or missing. */
export function shardStates(dir: string): Array<{ shard: number; state: ShardState; file: string; detail: string | null }> {
  const outDir = path.resolve(dir);
  const { shards } = readManifest(outDir);
  return Array.from({ length: shards }, (_, i) => {
    const k = i + 1;
    const file = path.join(outDir, shardFileName(k));
    const read = (suffix: string) => {
      try {
        return fs.readFileSync(path.join(outDir, `shard-${k}.${suffix}`), 'utf8').trim();
      } catch {
        return null;
      }
    };
    const done = read('done');
    if (done !== null && fs.existsSync(file)) return { shard: k, state: 'done' as const, file, detail: done };
    const failed = read('failed');
    if (failed !== null) return { shard: k, state: 'failed' as const, file, detail: failed };
    return { shard: k, state: 'missing' as const, file, detail: null };
  });
}
