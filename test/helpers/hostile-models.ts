import fs from 'node:fs';
import path from 'node:path';
import type { onnx } from 'onnx-proto';
import { encodeModel, GraphBuilder } from '../../src-main/core/onnx/graph-builder';
import { nodeRequire } from '../../src-main/core/node-require';
import { randomWeights } from './onnx-models';

/**
 * Crafted ONNX models that attack the backbone import: each is otherwise a working embedder
 * (input 'input' [N, 3, 32, 32], output 'embedding'), so only the attack can explain a refusal.
 */
type OnnxModule = typeof import('onnx-proto');
const proto = () => (nodeRequire('onnx-proto') as OnnxModule).onnx;

function write(dir: string, name: string, model: onnx.IModelProto): string {
  const file = path.join(dir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, encodeModel(model, name));
  return file;
}

/** Pools to [N, 3] then a 3 x dim linear map: the smallest honest embedder. */
function pooledEmbedder(name: string, shape: Array<number | string> = ['N', 3, 32, 32], dim = 4): { g: GraphBuilder; weight: string; pooled: string } {
  const g = new GraphBuilder(name);
  const x = g.input('input', shape);
  const pooled = g.op('Flatten', [g.op('GlobalAveragePool', [x])], { axis: 1 });
  const weight = g.tensor('weight', [3, dim], randomWeights(3 * dim, 11));
  return { g, weight, pooled };
}

/**
 * The weight tensor kept as external data at `location` (relative to the model's folder, or
 * absolute); the bytes are written there too, so a loader that follows the path would succeed.
 */
export function externalDataModel(dir: string, location: string): string {
  const { g, weight, pooled } = pooledEmbedder('external-data');
  g.op('MatMul', [pooled, weight], {}, 'embedding');
  g.output('embedding', ['N', 4]);
  const model = g.toModel();
  const tensor = model.graph!.initializer!.find((t) => t.name === weight)!;
  const bytes = Buffer.from(tensor.rawData!);
  const target = path.resolve(dir, location);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, bytes);
  tensor.rawData = undefined;
  tensor.dataLocation = proto().TensorProto.DataLocation.EXTERNAL;
  tensor.externalData = [
    { key: 'location', value: location },
    { key: 'offset', value: '0' },
    { key: 'length', value: String(bytes.length) },
  ];
  return write(dir, 'external-data.onnx', model);
}

/** Declares tiles of 100,000 x 100,000 pixels: a test batch would need 240 GB. */
export function hugeInputModel(dir: string): string {
  const { g, weight, pooled } = pooledEmbedder('huge-input', ['N', 3, 100_000, 100_000]);
  g.op('MatMul', [pooled, weight], {}, 'embedding');
  g.output('embedding', ['N', 4]);
  return write(dir, 'huge-input.onnx', g.toModel());
}

/** One node from a custom-op domain whose library nobody loads. */
export function customDomainModel(dir: string): string {
  const { g, weight, pooled } = pooledEmbedder('custom-domain');
  const stolen = g.op('Identity', [pooled]);
  g.op('MatMul', [stolen, weight], {}, 'embedding');
  g.output('embedding', ['N', 4]);
  const model = g.toModel();
  const node = model.graph!.node!.find((n) => n.opType === 'Identity')!;
  node.opType = 'ReadHomeFolder';
  node.domain = 'org.example.custom';
  model.opsetImport!.push({ domain: 'org.example.custom', version: 1 });
  return write(dir, 'custom-domain.onnx', model);
}

/**
 * Tiles the 32 x 32 input `repeats` times along each side before pooling: the test batch holds a
 * [2, 3, 32r, 32r] float tensor, twice (r = 96: over 450 MB against under 100 MB for an honest
 * model) while the answer stays a small honest embedding.
 */
export function memoryHogModel(dir: string, repeats = 96): string {
  const g = new GraphBuilder('memory-hog');
  const x = g.input('input', ['N', 3, 32, 32]);
  const big = g.op('Tile', [x, g.int64s('repeats', [1, 1, repeats, repeats])]);
  const doubled = g.op('Add', [big, big]);
  const pooled = g.op('Flatten', [g.op('GlobalAveragePool', [doubled])], { axis: 1 });
  g.op('MatMul', [pooled, g.tensor('weight', [3, 4], randomWeights(12, 11))], {}, 'embedding');
  g.output('embedding', ['N', 4]);
  return write(dir, 'memory-hog.onnx', g.toModel());
}

/** A Loop of 10^12 empty iterations between the pooling and the output: it never finishes. */
export function endlessLoopModel(dir: string): string {
  const { g, weight, pooled } = pooledEmbedder('endless-loop');
  const trips = g.int64s('trips', [1e12], []);
  const model = g.toModel();
  const { TensorProto, AttributeProto } = proto();
  const scalar = (name: string, elemType: number): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType, shape: { dim: [] } } } });
  const body: onnx.IGraphProto = {
    name: 'spin',
    input: [scalar('i', TensorProto.DataType.INT64), scalar('c', TensorProto.DataType.BOOL), { name: 'v', type: { tensorType: { elemType: TensorProto.DataType.FLOAT } } }],
    node: [
      { opType: 'Identity', input: ['c'], output: ['c_out'], name: 'keep_going' },
      { opType: 'Identity', input: ['v'], output: ['v_out'], name: 'carry' },
    ],
    output: [scalar('c_out', TensorProto.DataType.BOOL), { name: 'v_out', type: { tensorType: { elemType: TensorProto.DataType.FLOAT } } }],
  };
  model.graph!.initializer!.push({ name: 'always', dims: [], dataType: TensorProto.DataType.BOOL, rawData: new Uint8Array([1]) });
  model.graph!.node!.push(
    { opType: 'Loop', input: [trips, 'always', pooled], output: ['looped'], name: 'Loop_0', attribute: [{ name: 'body', type: AttributeProto.AttributeType.GRAPH, g: body }] },
    { opType: 'MatMul', input: ['looped', weight], output: ['embedding'], name: 'MatMul_1' },
  );
  model.graph!.output = [{ name: 'embedding', type: { tensorType: { elemType: TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }] } } } }];
  return write(dir, 'endless-loop.onnx', model);
}
