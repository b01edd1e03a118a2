import type { onnx } from 'onnx-proto';
import { nodeRequire } from '../node-require';

type OnnxModule = typeof import('onnx-proto');
let proto: OnnxModule | undefined;
function loadProto(): OnnxModule {
  proto ??= nodeRequire('onnx-proto') as OnnxModule;
  return proto;
}

/** The opset every model we write targets; ONNX Runtime 1.16+ runs it. */
export const OPSET = 17;
/** IR version 8 is the newest onnx-proto@8 knows, and what opset 17 exporters write. */
const IR_VERSION = 8;

/** A dimension: a fixed size, or a symbolic name such as the batch dimension 'N'. */
export type Dim = number | string;

export type ElementType = 'float32' | 'float64' | 'int64' | 'int8' | 'int32' | 'uint8';

/** Forces a whole-number value to be written as a FLOAT (or FLOATS) attribute. */
export interface FloatAttr {
  readonly float: number | readonly number[];
}
/**
 * An attribute value: whole numbers become INT(S), other numbers FLOAT(S), strings STRING;
 * wrap with `float()` where an operator wants a float that happens to be whole (alpha = 1).
 */
export type AttrValue = number | readonly number[] | string | FloatAttr;

export function float(value: number | readonly number[]): FloatAttr {
  return { float: value };
}

function elementTypeCode(type: ElementType): number {
  const { DataType } = loadProto().onnx.TensorProto;
  const codes: Record<ElementType, number> = { float32: DataType.FLOAT, float64: DataType.DOUBLE, int64: DataType.INT64, int8: DataType.INT8, int32: DataType.INT32, uint8: DataType.UINT8 };
  return codes[type];
}

function valueInfo(name: string, type: ElementType, shape: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elementTypeCode(type),
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const { AttributeType } = loadProto().onnx.AttributeProto;
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: AttributeType.INT, i: value } : { name, type: AttributeType.FLOAT, f: value };
  }
  if ('float' in value) {
    const f = value.float;
    return typeof f === 'number' ? { name, type: AttributeType.FLOAT, f } : { name, type: AttributeType.FLOATS, floats: [...f] };
  }
  const list = value as readonly number[];
  return list.every(Number.isInteger)
    ? { name, type: AttributeType.INTS, ints: [...list] }
    : { name, type: AttributeType.FLOATS, floats: [...list] };
}

function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  // Typed arrays are in the platform's byte order; ONNX raw_data is little-endian. Copy through a
  // DataView so the bytes are right (and identical) on any machine.
  const out = new Uint8Array(data.length * data.BYTES_PER_ELEMENT);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, data[i]!, true);
  return out;
}

/**
 * Builds an ONNX model graph from TypeScript: the default backbone, the test models and exported
 * classifier heads all go through it. Names are generated where the caller does not care, so a
 * graph reads like a chain of calls:
 *
 *   const g = new GraphBuilder('probe');
 *   const x = g.input('input', [ 'N', 3, 224, 224 ]);
 *   const pooled = g.op('Flatten', [ g.op('GlobalAveragePool', [ x ]) ]);
 *   g.output(g.op('Gemm', [ pooled, g.tensor('w', [3, 8], w), g.tensor('b', [8], b) ], {}, 'embedding'), [ 'N', 8 ]);
 *   const bytes = g.toBytes();
 *
 * The same calls always give the same bytes: nothing depends on time, order of hash maps or platform.
 */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();
  private readonly metadata: Array<{ key: string; value: string }> = [];

  constructor(
    readonly graphName: string,
    private readonly producer = { name: 'histo-workstation', version: '1' },
  ) {}

  /** A fresh value name from a prefix: `conv_0`, `conv_1`, ... */
  fresh(prefix: string): string {
    for (;;) {
      const n = this.counters.get(prefix) ?? 0;
      this.counters.set(prefix, n + 1);
      const name = `${prefix}_${n}`;
      if (!this.names.has(name)) return this.claim(name);
    }
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph ${this.graphName}: the name ${name} is used twice`);
    this.names.add(name);
    return name;
  }

  input(name: string, shape: readonly Dim[], type: ElementType = 'float32'): string {
    this.inputs.push(valueInfo(this.claim(name), type, shape));
    return name;
  }

  /** Declares an existing value as a graph output. */
  output(name: string, shape: readonly Dim[], type: ElementType = 'float32'): string {
    if (!this.names.has(name)) throw new Error(`graph ${this.graphName}: output ${name} is not produced by any node`);
    this.outputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** A float32 constant (weights, biases, kernels); `name` is a prefix made unique. */
  tensor(name: string, dims: readonly number[], data: Float32Array | readonly number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const count = dims.reduce((a, b) => a * b, 1);
    if (values.length !== count) {
      throw new Error(`graph ${this.graphName}: tensor ${name} has ${values.length} values for dims [${dims.join(', ')}]`);
    }
    const unique = this.names.has(name) ? this.fresh(name) : this.claim(name);
    this.initializers.push({ name: unique, dims: [...dims], dataType: elementTypeCode('float32'), rawData: littleEndianBytes(values) });
    return unique;
  }

  /** An int64 constant (shapes, axes, pads given as inputs). */
  int64s(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const unique = this.names.has(name) ? this.fresh(name) : this.claim(name);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name: unique, dims: [...dims], dataType: elementTypeCode('int64'), rawData: littleEndianBytes(data) });
    return unique;
  }

  /** A float32 scalar constant. */
  scalar(name: string, value: number): string {
    return this.tensor(name, [], [value]);
  }

  /**
   * Appends a node and returns its first output's name. Outputs are named after the operator
   * unless given; pass an array to name several (Split), or a string to name the only one.
   */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputs?: string | readonly string[]): string {
    const outs = outputs === undefined ? [this.fresh(opType.toLowerCase())] : (typeof outputs === 'string' ? [outputs] : [...outputs]).map((n) => this.claim(n));
    for (const name of inputs) {
      if (name !== '' && !this.names.has(name)) throw new Error(`graph ${this.graphName}: ${opType} reads ${name}, which nothing produces`);
    }
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: outs,
      attribute: Object.keys(attrs)
        .sort()
        .map((key) => attribute(key, attrs[key]!)),
    });
    return outs[0]!;
  }

  /** A free-text entry of the model's metadata_props (provenance, licence). */
  meta(key: string, value: string): void {
    this.metadata.push({ key, value });
  }

  toBytes(): Uint8Array {
    return encodeModel(this.toModel(), this.graphName);
  }

  /** The model as a protobuf object, for merging with another model before encoding. */
  toModel(): onnx.IModelProto {
    return {
      irVersion: IR_VERSION,
      producerName: this.producer.name,
      producerVersion: this.producer.version,
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: this.metadata,
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }
}

export function encodeModel(model: onnx.IModelProto, what: string): Uint8Array {
  const { onnx } = loadProto();
  const err = onnx.ModelProto.verify(model);
  if (err) throw new Error(`graph ${what}: invalid model: ${err}`);
  return onnx.ModelProto.encode(model).finish();
}

export function decodeModel(bytes: Uint8Array): onnx.IModelProto {
  return loadProto().onnx.ModelProto.decode(bytes);
}
