import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { resourcesDir } from '../app-root';
import { HistoError } from '../errors';
import type { StoredBackbone } from '../project/repos/backbones-repo';

/** Builtin backbones are stored as `builtin:<file>`: the app's install folder may move. */
export const BUILTIN_PREFIX = 'builtin:';

export function builtinBackbonesDir(): string {
  return path.join(resourcesDir(), 'backbones');
}

export function resolveModelPath(filePath: string): string {
  return filePath.startsWith(BUILTIN_PREFIX) ? path.join(builtinBackbonesDir(), filePath.slice(BUILTIN_PREFIX.length)) : filePath;
}

export function sha256OfFile(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * The model file of a backbone, checked against the sha256 recorded at import: embeddings of a
 * different model under the same name would silently mix two feature spaces.
 */
export function backboneModelFile(backbone: StoredBackbone): string {
  const file = resolveModelPath(backbone.filePath);
  if (!fs.existsSync(file)) {
    throw new HistoError('NOT_FOUND', `${file}: the model file of backbone '${backbone.name}' is missing (moved or deleted since import)`);
  }
  const actual = sha256OfFile(file);
  if (actual !== backbone.sha256) {
    throw new HistoError('BAD_INPUT', `${file}: changed since it was imported as backbone '${backbone.name}' (sha256 ${actual.slice(0, 12)}…, expected ${backbone.sha256.slice(0, 12)}…)`);
  }
  return file;
}
