import fs from 'node:fs';
import path from 'node:path';
import type { BackboneSummary } from '../../../src-shared/contract';
import type { BackboneSpec } from '../backbones/backbone-spec';
import { SUPERSEDED_BUILTIN_BACKBONES } from '../backbones/default-backbone';
import { declaredBackbone, inspectBackbone } from '../backbones/inspect-backbone';
import { inspectBackboneIsolated } from '../backbones/isolated-inspect';
import { BUILTIN_PREFIX, builtinBackbonesDir, sha256OfFile } from '../extraction/backbone-model-file';
import { HistoError } from '../errors';
import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/repos/audit-repo';
import { BackbonesRepo, type StoredBackbone } from '../project/repos/backbones-repo';
import { EmbeddingsRepo } from '../project/repos/embeddings-repo';

/**
 * Imports an ONNX backbone: inspects and test-runs it first (nothing is written for a model that
 * fails), then records it with its preprocessing, sha256 and provenance.
 */
export async function importBackbone(store: ProjectStore, file: string, overrides: Partial<BackboneSpec> = {}): Promise<StoredBackbone> {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved)) throw new HistoError('NOT_FOUND', `${resolved}: no such model file`);
  const repo = new BackbonesRepo(store.db);
  // A model from outside is untrusted: its check runs in a child process with time and memory limits.
  const inspected = await inspectBackboneIsolated(resolved, overrides);
  return store.db.transaction(() => {
    const stored = repo.insert({ ...inspected, filePath: resolved, sha256: inspected.sha256, builtin: false });
    recordAudit(store.db, 'backbone.import', { name: stored.name, file: resolved, dim: stored.dim, inputSize: stored.inputSize }, stored.sha256);
    return stored;
  })();
}

/**
 * Registers one bundled model file. A bundled model whose bytes changed (a new app version) is
 * registered under its sidecar name plus its short hash rather than replacing the old record:
 * embeddings already stored stay tied to the exact model that made them. Its sidecar states its
 * spec (test/core/backbones checks each against inspection); one that does not is inspected.
 */
async function registerBuiltin(store: ProjectStore, fileName: string, sha256?: string): Promise<void> {
  const repo = new BackbonesRepo(store.db);
  const file = path.join(builtinBackbonesDir(), fileName);
  const declared = declaredBackbone(file);
  const inspected = declared ? { ...declared, sha256: sha256 ?? sha256OfFile(file) } : await inspectBackbone(file, {});
  store.db.transaction(() => {
    // Another process on the same project may have registered it while this one inspected.
    if (repo.list().some((b) => b.sha256 === inspected.sha256)) return;
    const taken = repo.findByName(inspected.name);
    const backboneName = taken ? `${inspected.name}-${inspected.sha256.slice(0, 8)}` : inspected.name;
    repo.insert({ ...inspected, name: backboneName, filePath: BUILTIN_PREFIX + fileName, sha256: inspected.sha256, builtin: true });
    recordAudit(store.db, 'backbone.builtin', { name: backboneName, file: fileName }, inspected.sha256);
  })();
}

/**
 * Makes sure every backbone bundled in resources/backbones is registered in the project, so a
 * lab can embed with no download. A superseded one (histo-classic-v1) is registered only where the
 * project already has a backbone of its name: projects that hold its vectors keep it, new ones do not list it.
 */
export async function ensureBuiltinBackbones(store: ProjectStore): Promise<void> {
  const dir = builtinBackbonesDir();
  if (!fs.existsSync(dir)) return;
  const stored = new BackbonesRepo(store.db).list();
  const known = new Set(stored.map((b) => b.sha256));
  const usedBefore = (stem: string) => stored.some((b) => b.name === stem || b.name.startsWith(`${stem}-`));
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort()) {
    const stem = name.slice(0, -'.onnx'.length);
    if (SUPERSEDED_BUILTIN_BACKBONES.has(stem) && !usedBefore(stem)) continue;
    const sha256 = sha256OfFile(path.join(dir, name));
    if (known.has(sha256)) continue;
    await registerBuiltin(store, name, sha256);
  }
}

/** A stored backbone as the contract lists it, with how many embeddings the project holds for it. */
export function backboneSummary(store: ProjectStore, b: StoredBackbone): BackboneSummary {
  const { id, name, dim, inputSize, mean, std, sha256, builtin, source, license, filePath } = b;
  return { id, name, dim, inputSize, mean, std, sha256, builtin, source, license, filePath, embeddings: new EmbeddingsRepo(store.db).count(id) };
}

/**
 * A backbone of the project by id or name, the bundled ones registered first. A superseded bundled
 * backbone asked for by name is registered then: a cluster node's fresh shard, or a script, can
 * still embed with histo-classic-v1.
 */
export async function resolveBackbone(store: ProjectStore, ref: string | number): Promise<StoredBackbone> {
  await ensureBuiltinBackbones(store);
  const repo = new BackbonesRepo(store.db);
  const name = String(ref);
  if (SUPERSEDED_BUILTIN_BACKBONES.has(name) && !repo.findByName(name) && fs.existsSync(path.join(builtinBackbonesDir(), `${name}.onnx`))) {
    await registerBuiltin(store, `${name}.onnx`);
  }
  return repo.resolve(ref);
}
