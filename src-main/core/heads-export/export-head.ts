import fs from 'node:fs';
import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/repos/audit-repo';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { backboneModelFile } from '../extraction/backbone-model-file';
import { appVersion } from '../app-version';
import { HeadsRepo } from '../project/repos/heads-repo';
import { backboneWithHeadToOnnx, headToOnnx, writeModelFile } from './export-head-onnx';

/** Writes a stored head as ONNX, alone or fused with its backbone; provenance goes into the model's metadata. */
export function exportHead(store: ProjectStore, headId: number, out: string, withBackbone: boolean) {
  const { listing, head } = new HeadsRepo(store.db).load(headId);
  const backbone = new BackbonesRepo(store.db).get(listing.backboneId)!;
  const details = {
    head_id: String(headId),
    task: listing.task,
    app_version: appVersion,
    f1_macro_cv: String(listing.metrics.f1Macro ?? ''),
    backbone_sha256: backbone.sha256,
    exported_at: new Date().toISOString(),
  };
  const bytes = withBackbone
    ? backboneWithHeadToOnnx(new Uint8Array(fs.readFileSync(backboneModelFile(backbone))), backbone, head, details)
    : headToOnnx(head, details);
  const file = writeModelFile(bytes, out);
  recordAudit(store.db, 'head.export', { headId, file, withBackbone }, backbone.sha256);
  return {
    file,
    headId,
    kind: head.kind,
    classes: head.classes,
    withBackbone,
    backbone: backbone.name,
    input: withBackbone ? { name: backbone.inputName, shape: ['N', 3, backbone.inputSize, backbone.inputSize], mean: backbone.mean, std: backbone.std } : { name: 'embedding', shape: ['N', head.dim] },
    output: { name: 'probabilities', shape: ['N', head.classes.length] },
  };
}
