import fs from 'node:fs';
import path from 'node:path';
import type { HistoCore } from '../core/histo-core';
import { sha256OfFile } from '../core/extraction/backbone-model-file';
import { BackbonesRepo } from '../core/project/repos/backbones-repo';
import { callCore } from './call-core';

/**
 * `--backbone` may name an .onnx file instead of a project backbone, as cluster jobs do on fresh
 * shard files: the backbone with the same sha256 is used, or the file is imported once. The lookup
 * reads the repo rather than calling backbone.list, which would register the bundled backbones first
 * and so change the ids a fresh shard gives its backbones.
 */
export async function backboneRefFromOption(core: HistoCore, value: string): Promise<string | number> {
  if (!value.toLowerCase().endsWith('.onnx') || !fs.existsSync(value)) return value;
  const file = path.resolve(value);
  const sha256 = sha256OfFile(file);
  const known = new BackbonesRepo(core.requireProject().db).list().find((b) => b.sha256 === sha256);
  if (known) return known.id;
  return (await callCore(core, 'backbone.import', { path: file })).id;
}
