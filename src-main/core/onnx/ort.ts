import { nodeRequire } from '../node-require';

export type Ort = typeof import('onnxruntime-node');

let ort: Ort | undefined;

/** ONNX Runtime, loaded on first use: the native binding is large and most commands never need it. */
export function loadOrt(): Ort {
  ort ??= nodeRequire('onnxruntime-node') as Ort;
  return ort;
}
