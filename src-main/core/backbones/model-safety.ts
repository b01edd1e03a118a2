import fs from 'node:fs';
import path from 'node:path';
import type { onnx } from 'onnx-proto';
import { HistoError } from '../errors';
import { decodeModel } from '../onnx/graph-builder';

/**
 * Static checks of an ONNX file before ONNX Runtime opens it: what a hostile or broken model can
 * do at load time that no test batch would catch in time. Reads the protobuf only (weights stay
 * where they are: protobufjs hands out views, not copies).
 */

/** Largest tile side a backbone may declare; the same bound as BackboneSpec.inputSize. */
export const MAX_INPUT_SIDE = 4096;

/**
 * Operator domains ONNX Runtime's CPU build registers. A node from any other domain needs a
 * custom-op library we never load, unless the model defines it as a local function.
 */
const RUNTIME_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft', 'com.microsoft.nchwc', 'ai.onnx.preview.training', 'ai.onnx.training']);

function eachGraph(graph: onnx.IGraphProto | null | undefined, visit: (graph: onnx.IGraphProto) => void): void {
  if (!graph) return;
  visit(graph);
  for (const node of graph.node ?? []) {
    for (const attr of node.attribute ?? []) {
      eachGraph(attr.g, visit);
      for (const sub of attr.graphs ?? []) eachGraph(sub, visit);
    }
  }
}

/** Every tensor the model stores, in the main graph, subgraphs (If/Loop bodies) and attributes. */
function eachTensor(model: onnx.IModelProto, visit: (tensor: onnx.ITensorProto) => void): void {
  eachGraph(model.graph, (graph) => {
    for (const t of graph.initializer ?? []) visit(t);
    for (const s of graph.sparseInitializer ?? []) {
      if (s.values) visit(s.values);
      if (s.indices) visit(s.indices);
    }
    for (const node of graph.node ?? []) {
      for (const attr of node.attribute ?? []) {
        if (attr.t) visit(attr.t);
        for (const t of attr.tensors ?? []) visit(t);
      }
    }
  });
}

function eachNode(model: onnx.IModelProto, visit: (node: onnx.INodeProto) => void): void {
  eachGraph(model.graph, (graph) => (graph.node ?? []).forEach(visit));
  for (const fn of model.functions ?? []) (fn.node ?? []).forEach(visit);
}

/** External data must be a file inside the model's own folder: no absolute paths, no `..`, no symlink out. */
function checkExternalData(file: string, model: onnx.IModelProto): void {
  const folder = path.dirname(path.resolve(file));
  eachTensor(model, (tensor) => {
    const location = (tensor.externalData ?? []).find((entry) => entry.key === 'location')?.value;
    if (location === undefined || location === null) return;
    const resolved = path.resolve(folder, location);
    const relative = path.relative(folder, resolved);
    const escapes = path.isAbsolute(location) || relative === '' || relative.startsWith('..') || path.isAbsolute(relative);
    let linkedOut = false;
    if (!escapes && fs.existsSync(resolved)) {
      const real = path.relative(fs.realpathSync(folder), fs.realpathSync(resolved));
      linkedOut = real.startsWith('..') || path.isAbsolute(real);
    }
    if (escapes || linkedOut) {
      throw new HistoError(
        'BAD_INPUT',
        `${file}: tensor ${tensor.name ?? '(unnamed)'} keeps its data in "${location}", outside the model's folder ${folder}; refusing to read it`,
      );
    }
  });
}

function checkDomains(file: string, model: onnx.IModelProto): void {
  const localFunctions = new Set((model.functions ?? []).map((fn) => `${fn.domain ?? ''}:${fn.name ?? ''}`));
  const foreign = new Map<string, Set<string>>();
  eachNode(model, (node) => {
    const domain = node.domain ?? '';
    if (RUNTIME_DOMAINS.has(domain) || localFunctions.has(`${domain}:${node.opType ?? ''}`)) return;
    const ops = foreign.get(domain) ?? new Set<string>();
    ops.add(node.opType ?? '?');
    foreign.set(domain, ops);
  });
  if (foreign.size === 0) return;
  const listed = [...foreign].map(([domain, ops]) => `${domain} (${[...ops].join(', ')})`).join('; ');
  throw new HistoError('BAD_INPUT', `${file}: uses custom operators ONNX Runtime cannot load: ${listed}; export the model with standard ONNX operators`);
}

function dimValue(dim: onnx.TensorShapeProto.IDimension): number | string | undefined {
  if (dim.dimParam) return dim.dimParam;
  if (dim.dimValue === undefined || dim.dimValue === null) return undefined;
  // int64 arrives as a number, or as a Long when protobufjs has the long package to hand.
  const value = dim.dimValue as number | { toNumber(): number };
  return typeof value === 'number' ? value : value.toNumber();
}

/** Declared input shapes a tile batch could never be, or only at an absurd cost. */
function checkInputShapes(file: string, model: onnx.IModelProto): void {
  const stored = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  for (const input of model.graph?.input ?? []) {
    if (stored.has(input.name)) continue; // an initializer listed as input (old exporters): a weight
    const dims = (input.type?.tensorType?.shape?.dim ?? []).map(dimValue);
    if (dims.length > 8) throw new HistoError('BAD_INPUT', `${file}: input ${input.name} has ${dims.length} dimensions; a backbone takes [batch, 3, height, width]`);
    // Batch and channels are checked, with their own messages, once the model is open; a side
    // over the limit must be refused before a test batch tries to allocate it.
    for (const [axis, value] of dims.entries()) {
      if (axis < 2 || typeof value !== 'number' || (value >= 0 && value <= MAX_INPUT_SIDE)) continue;
      throw new HistoError(
        'BAD_INPUT',
        `${file}: input ${input.name} declares ${value} pixels along axis ${axis} ([${dims.map((d) => d ?? '?').join(', ')}]); tiles are at most ${MAX_INPUT_SIDE}`,
      );
    }
  }
}

/** Refuses a model that reads files outside its folder, needs custom ops, or declares absurd input shapes. */
export function assertModelIsSafe(file: string): void {
  let model: onnx.IModelProto;
  try {
    model = decodeModel(fs.readFileSync(file));
  } catch (err) {
    // A missing protobuf library must not silently skip the checks.
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw err;
    return; // not a protobuf at all: ONNX Runtime says so in its own words, in the caller
  }
  checkExternalData(file, model);
  checkDomains(file, model);
  checkInputShapes(file, model);
}
