import type { Head } from '../heads/head';
import type { GraphBuilder } from '../onnx/graph-builder';

/**
 * Appends a head to a graph: raw embedding [N, dim] in, class probabilities [N, C] out. Only
 * operators whose signatures are the same from opset 11 to 17 are used (no ReduceSum/Unsqueeze,
 * whose axes moved to inputs in 13), so the head can join any backbone's graph unchanged.
 */
export function appendHead(g: GraphBuilder, embedding: string, head: Head, prefix: string, output: string): string {
  const C = head.classes.length;
  let x = embedding;
  if (head.preprocess === 'l2') x = g.op('LpNormalization', [x], { axis: 1, p: 2 });
  if (head.standardizer) {
    x = g.op('Sub', [x, g.tensor(`${prefix}mean`, [head.dim], head.standardizer.mean)]);
    x = g.op('Mul', [x, g.tensor(`${prefix}inv_std`, [head.dim], head.standardizer.invStd)]);
  }
  switch (head.kind) {
    case 'logreg': {
      const logits = g.op('Gemm', [x, g.tensor(`${prefix}weights`, [C, head.dim], head.model.weights), g.tensor(`${prefix}bias`, [C], head.model.bias)], { transB: 1 });
      return g.op('Softmax', [logits], { axis: 1 }, output);
    }
    case 'mlp': {
      head.model.layers.forEach((layer, index) => {
        const w = g.tensor(`${prefix}layer${index}_weights`, [layer.outputs, layer.inputs], layer.weights);
        x = g.op('Gemm', [x, w, g.tensor(`${prefix}layer${index}_bias`, [layer.outputs], layer.bias)], { transB: 1 });
        if (index + 1 < head.model.layers.length) x = g.op('Relu', [x]);
      });
      return g.op('Softmax', [x], { axis: 1 }, output);
    }
    case 'knn': {
      const model = head.model;
      const k = Math.min(model.neighbours, model.n);
      // Cosine similarity to every stored training vector (already L2-normalised), then the top k.
      const unit = g.op('LpNormalization', [x], { axis: 1, p: 2 });
      const transposed = new Float32Array(model.dim * model.n);
      for (let i = 0; i < model.n; i++) for (let j = 0; j < model.dim; j++) transposed[j * model.n + i] = model.x[i * model.dim + j]!;
      const sims = g.op('MatMul', [unit, g.tensor(`${prefix}train_t`, [model.dim, model.n], transposed)]);
      const [topSims, topIdx] = [`${prefix}top_sims`, `${prefix}top_idx`];
      g.op('TopK', [sims, g.int64s(`${prefix}k`, [k])], { axis: 1, largest: 1, sorted: 1 }, [topSims, topIdx]);
      const oneHot = new Float32Array(model.n * C);
      for (let i = 0; i < model.n; i++) oneHot[i * C + model.y[i]!] = 1;
      const neighbourClasses = g.op('Gather', [g.tensor(`${prefix}one_hot`, [model.n, C], oneHot), topIdx], { axis: 0 }); // [N, k, C]
      const weights = model.distanceWeighted
        ? g.op('Reciprocal', [g.op('Add', [g.op('Relu', [g.op('Sub', [g.scalar(`${prefix}one`, 1), topSims])]), g.scalar(`${prefix}eps`, 1e-6)])])
        : g.op('Add', [g.op('Mul', [topSims, g.scalar(`${prefix}zero`, 0)]), g.scalar(`${prefix}one`, 1)]);
      const rowWeights = g.op('Reshape', [weights, g.int64s(`${prefix}row_shape`, [0, 1, k])]); // [N, 1, k]
      const votes = g.op('Reshape', [g.op('MatMul', [rowWeights, neighbourClasses]), g.int64s(`${prefix}votes_shape`, [0, C])]); // [N, C]
      const total = g.op('MatMul', [weights, g.tensor(`${prefix}ones`, [k, 1], new Float32Array(k).fill(1))]); // [N, 1]
      return g.op('Div', [votes, total], {}, output);
    }
  }
}

