import fs from 'node:fs';
import path from 'node:path';
import type { onnx } from 'onnx-proto';
import type { Head } from '../heads/head';
import { decodeModel, encodeModel, GraphBuilder } from '../onnx/graph-builder';
import { HistoError } from '../errors';
import type { StoredBackbone } from '../project/repos/backbones-repo';
import { appendHead } from './head-graph';

export const HEAD_INPUT = 'embedding';
export const HEAD_OUTPUT = 'probabilities';
const PREFIX = 'histo_head/';

function provenance(g: GraphBuilder, head: Head, details: Record<string, string>): void {
  g.meta('histo.classes', JSON.stringify(head.classes));
  g.meta('histo.head_kind', head.kind);
  g.meta('histo.augmentation', head.augmentation);
  g.meta('histo.seed', String(head.seed));
  for (const [key, value] of Object.entries(details)) g.meta(`histo.${key}`, value);
}

/** A head alone: input `embedding` [N, dim], output `probabilities` [N, classes]. */
export function headToOnnx(head: Head, details: Record<string, string> = {}): Uint8Array {
  const g = new GraphBuilder(`histo-head-${head.kind}`);
  const x = g.input(HEAD_INPUT, ['N', head.dim]);
  appendHead(g, x, head, PREFIX, HEAD_OUTPUT);
  g.output(HEAD_OUTPUT, ['N', head.classes.length]);
  provenance(g, head, details);
  return g.toBytes();
}

/**
 * Backbone and head as one model for deployment elsewhere: the backbone's pixels input in,
 * `probabilities` (and the backbone's embedding) out. The head's nodes are appended to the
 * backbone's own graph, whose operators, opsets and weights are kept as they are.
 */
export function backboneWithHeadToOnnx(backboneBytes: Uint8Array, backbone: Pick<StoredBackbone, 'name' | 'outputName' | 'dim' | 'sha256'>, head: Head, details: Record<string, string> = {}): Uint8Array {
  if (backbone.dim !== head.dim) throw new HistoError('BAD_INPUT', `head expects ${head.dim}-d embeddings but backbone '${backbone.name}' gives ${backbone.dim}`);
  const model = decodeModel(backboneBytes);
  const graph = model.graph;
  if (!graph) throw new HistoError('BAD_INPUT', `backbone '${backbone.name}': the model has no graph`);
  const g = new GraphBuilder('head');
  g.input(backbone.outputName, ['N', head.dim]);
  appendHead(g, backbone.outputName, head, PREFIX, HEAD_OUTPUT);
  g.output(HEAD_OUTPUT, ['N', head.classes.length]);
  provenance(g, head, { ...details, backbone: backbone.name, backbone_sha256: backbone.sha256 });
  const part = g.toModel();
  const taken = new Set([...(graph.node ?? []).flatMap((n) => n.output ?? []), ...(graph.initializer ?? []).map((t) => t.name ?? '')]);
  const clash = (part.graph!.initializer ?? []).find((t) => taken.has(t.name ?? ''));
  if (clash) throw new HistoError('BAD_INPUT', `backbone '${backbone.name}' already has a value named ${clash.name}`);
  const embeddingOutput = (graph.output ?? []).find((o) => o.name === backbone.outputName);
  const merged: onnx.IModelProto = {
    ...model,
    metadataProps: [...(model.metadataProps ?? []), ...(part.metadataProps ?? [])],
    graph: {
      ...graph,
      name: `${graph.name ?? 'backbone'}+histo-head`,
      // Node names must be unique too: the head's are prefixed like its values.
      node: [...(graph.node ?? []), ...(part.graph!.node ?? []).map((n) => ({ ...n, name: `${PREFIX}${n.name ?? ''}` }))],
      initializer: [...(graph.initializer ?? []), ...(part.graph!.initializer ?? [])],
      output: [...(part.graph!.output ?? []), ...(embeddingOutput ? [embeddingOutput] : [])],
    },
  };
  // Our head needs Softmax on 2-D input and TopK with k as an input: opset 11 at least.
  const defaultOpset = (merged.opsetImport ?? []).find((o) => !o.domain);
  if (defaultOpset && Number(defaultOpset.version) < 11) {
    throw new HistoError('BAD_INPUT', `backbone '${backbone.name}' uses opset ${defaultOpset.version}; re-export it with opset 11 or newer to combine it with a head`);
  }
  return encodeModel(merged, `${backbone.name}+head`);
}

export function writeModelFile(bytes: Uint8Array, out: string): string {
  const resolved = path.resolve(out);
  if (!fs.existsSync(path.dirname(resolved))) throw new HistoError('NOT_FOUND', `${path.dirname(resolved)}: folder does not exist`);
  if (path.extname(resolved).toLowerCase() !== '.onnx') throw new HistoError('VALIDATION', `${resolved}: an exported model is written to a .onnx file`);
  fs.writeFileSync(resolved, bytes);
  return resolved;
}
