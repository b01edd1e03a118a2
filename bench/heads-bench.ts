// Classifier heads on generated embeddings: fit time and held-out accuracy of logistic regression
// and the MLP on 20,000 x 768 training rows (2, 5 and 10 classes), and, where python3 with
// scikit-learn is installed, scikit-learn's LogisticRegression and MLPClassifier (same recipe, see
// benchMlp; mean accuracy difference over --seeds with a 95 % interval) on the very same rows. The MLP is timed on one thread
// and on all (data-parallel helper threads, mlp-ort.ts), for the speed-up; cpu time / wall shows
// how much of a second core the (shared) machine actually gave.
//   node scripts/run-ts.mjs bench/heads-bench.ts [--skip-mlp] [--skip-logreg] [--max-iter 100] [--repeats 3 (default)] [--mlp-epochs 8] [--seeds 5] [--test 20000] [--classes 5]
// HISTO_HEADS_THREADS=1 measures our single-threaded speed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fitLogisticRegression, predictLogisticRegression } from '../src-main/core/heads/logistic-regression';
import { fitMlp, predictMlp, type MlpModel } from '../src-main/core/heads/mlp';
import { argmaxRows } from '../src-main/core/heads/metrics';
import { defaultThreads } from '../src-main/core/heads/parallel-loss';
import { makeSyntheticDataset } from '../src-main/core/heads/synthetic-data';
import { findPython } from './find-python';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const TRAIN = option('--train', 20000);
// Held-out rows: at 5,000 the paired MLP difference swung +-0.5 pt from seed to seed on test-row
// noise alone; 20,000 bring the 95 % interval over 5 seeds to about +-0.2-0.5 pt.
const TEST = option('--test', 20000);
const DIM = 768;
const L2 = 1; // scikit-learn C = 1 / l2
const MAX_ITER = option('--max-iter', 100);
const TOL = 1e-4;
/** Fits per measurement; the median is printed (the machine may be shared). */
const REPEATS = option('--repeats', 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function accuracy(proba: Float32Array, y: Int32Array, n: number, k: number): number {
  const pred = argmaxRows(proba, n, k);
  let ok = 0;
  for (let i = 0; i < n; i++) if (pred[i] === y[i]) ok++;
  return ok / n;
}

/** float32 / int32 .npy (version 1.0), C order. */
function writeNpy(file: string, data: Float32Array | Int32Array, shape: number[]): void {
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

const SKLEARN_SCRIPT = `
import json, sys, time
import numpy as np
from sklearn.linear_model import LogisticRegression
try:
    from threadpoolctl import threadpool_info
    threads = [(i['internal_api'], i['num_threads']) for i in threadpool_info()]
except Exception:
    threads = []
x = np.load(sys.argv[1]); y = np.load(sys.argv[2]); n = int(sys.argv[3])
times = []
for _ in range(int(sys.argv[7])):
    t = time.perf_counter()
    m = LogisticRegression(C=float(sys.argv[4]), max_iter=int(sys.argv[5]), tol=float(sys.argv[6])).fit(x[:n], y[:n])
    times.append(time.perf_counter() - t)
sec = sorted(times)[len(times) // 2]
acc = float((m.predict(x[n:]) == y[n:]).mean())
print(json.dumps({'seconds': sec, 'accuracy': acc, 'iterations': int(np.max(m.n_iter_)), 'threads': threads, 'version': __import__('sklearn').__version__}))
`;

// scikit-learn's MLPClassifier defaults but a fixed number of epochs (tol 0, no early stop) on both
// sides; random_state is the seed, as ours is.
const SKLEARN_MLP_SCRIPT = `
import json, sys, time, warnings
import numpy as np
from sklearn.neural_network import MLPClassifier
warnings.filterwarnings('ignore')
x = np.load(sys.argv[1]); y = np.load(sys.argv[2]); n = int(sys.argv[3])
hidden = int(sys.argv[4]); epochs = int(sys.argv[5]); batch = int(sys.argv[6])
t = time.perf_counter()
m = MLPClassifier(hidden_layer_sizes=(hidden,), solver='adam', alpha=1e-4, batch_size=batch, learning_rate_init=1e-3,
                  max_iter=epochs, tol=0, n_iter_no_change=epochs + 1, early_stopping=False, random_state=int(sys.argv[7])).fit(x[:n], y[:n])
sec = time.perf_counter() - t
acc = float((m.predict(x[n:]) == y[n:]).mean())
print(json.dumps({'seconds': sec, 'accuracy': acc, 'iterations': int(m.n_iter_), 'threads': [], 'version': __import__('sklearn').__version__}))
`;

interface SklearnResult {
  seconds: number;
  accuracy: number;
  iterations: number;
  threads: Array<[string, number]>;
  version: string;
}

function runSklearn(python: string, x: Float32Array, y: Int32Array, n: number, source = SKLEARN_SCRIPT, extra = [String(1 / L2), String(MAX_ITER), String(TOL), String(REPEATS)]): SklearnResult | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-heads-bench-'));
  try {
    const xFile = path.join(dir, 'x.npy');
    const yFile = path.join(dir, 'y.npy');
    const script = path.join(dir, 'fit.py');
    writeNpy(xFile, x, [y.length, DIM]);
    writeNpy(yFile, y, [y.length]);
    fs.writeFileSync(script, source);
    const run = spawnSync(python, [script, xFile, yFile, String(n), ...extra], { encoding: 'utf8', env: process.env });
    if (run.status !== 0) {
      console.log(`  scikit-learn failed: ${run.stderr.trim().split('\n').pop()}`);
      return null;
    }
    return JSON.parse(run.stdout.trim().split('\n').pop()!) as SklearnResult;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Two-sided 95 % Student t quantiles by degrees of freedom (1..10), for the seeds' mean difference. */
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

function meanCi(values: number[]): { mean: number; half: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, half: NaN };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, half: (T95[n - 1] ?? 1.96) * Math.sqrt(variance / n) };
}

/**
 * The MLP against scikit-learn's MLPClassifier, like with like: the same rows (train / test cut at
 * TRAIN), no standardisation on either side, hidden 128, ReLU, Adam lr 1e-3, L2 alpha 1e-4 in the
 * gradient, batch 200, shuffled every epoch, a fixed number of epochs, no dropout, no validation
 * split; the same Glorot uniform initialisation. Ours has a 2-unit softmax where scikit-learn has
 * one logistic unit for 2 classes. Each seed draws a fresh dataset and is the seed of both fits;
 * the accuracy difference is reported as the mean over seeds with a 95 % t interval.
 */
function benchMlp(k: number): void {
  const epochs = option('--mlp-epochs', 8);
  const seeds = option('--seeds', 5);
  const params = { hidden: [128], maxEpochs: epochs, dropout: 0, validationFraction: 0, batchSize: 200, learningRate: 1e-3, weightDecay: 1e-4 };
  const threads = defaultThreads(TRAIN * DIM * 128 * 2);
  const counts = threads > 1 ? [1, threads] : [1];
  const perEpoch: Record<number, number[]> = {};
  const cpuShare: Record<number, number[]> = {};
  const skEpoch: number[] = [];
  const ours: number[] = [];
  const theirs: number[] = [];
  const diffs: number[] = [];
  let identical = true;
  let skVersion = '';
  for (let seed = 0; seed < seeds; seed++) {
    const data = makeSyntheticDataset({ n: TRAIN + TEST, dim: DIM, k, margin: 2.5, groups: 100, seed: 42 + k + 1000 * seed });
    const fit = (t: number, maxEpochs: number) => fitMlp(data.x, TRAIN, DIM, data.y, k, { ...params, maxEpochs }, seed, null, { engine: 'onnx', threads: t });
    // One short fit per thread count first: ONNX Runtime's start and each session's first runs are not an epoch's cost.
    if (seed === 0) for (const t of counts) fit(t, 1);
    const models: MlpModel[] = [];
    // Thread counts alternate, so a busy spell of the (shared) machine hits both alike.
    for (const t of counts) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      const mlp = fit(t, epochs);
      const wall = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      (perEpoch[t] ??= []).push(wall / mlp.epochs);
      (cpuShare[t] ??= []).push((used.user + used.system) / 1e6 / wall);
      models.push(mlp);
    }
    const bytes = (m: MlpModel) => Buffer.concat(m.layers.flatMap((l) => [Buffer.from(l.weights.buffer), Buffer.from(l.bias.buffer)]));
    if (models.length > 1 && !bytes(models[0]!).equals(bytes(models[1]!))) identical = false;
    const acc = accuracy(predictMlp(models[0]!, data.x.subarray(TRAIN * DIM), TEST), data.y.subarray(TRAIN), TEST, k);
    ours.push(acc);
    const sk = python ? runSklearn(python, data.x, data.y, TRAIN, SKLEARN_MLP_SCRIPT, ['128', String(epochs), '200', String(seed)]) : null;
    if (sk) {
      skEpoch.push(sk.seconds / sk.iterations);
      theirs.push(sk.accuracy);
      diffs.push(acc - sk.accuracy);
      skVersion = sk.version;
    }
    const skText = sk ? `, sklearn ${(100 * sk.accuracy).toFixed(2)} %, difference ${(100 * (acc - sk.accuracy)).toFixed(2)} pt` : '';
    console.log(`  mlp seed ${seed}: ours ${(100 * acc).toFixed(2)} %${skText}`);
  }
  const pct = (v: number[]) => (100 * meanCi(v).mean).toFixed(2);
  for (const t of counts) {
    console.log(`  ours mlp       ${median(perEpoch[t]!).toFixed(3)} s/epoch  accuracy ${pct(ours)} %  (hidden 128, ${epochs} epochs, batch 200, adam, ONNX Runtime on ${t} thread${t > 1 ? 's' : ''}, cpu time / wall ${median(cpuShare[t]!).toFixed(2)}, median / mean of ${seeds} seeds)`);
  }
  const oursEpoch = median(perEpoch[threads]!);
  if (threads > 1) console.log(`  mlp speed-up ${threads} threads / 1: ${(median(perEpoch[1]!) / oursEpoch).toFixed(2)}x (weights of both ${identical ? 'equal bit for bit' : 'DIFFER'} at every seed)`);
  if (diffs.length > 0) {
    const d = meanCi(diffs);
    console.log(`  sklearn mlp    ${median(skEpoch).toFixed(3)} s/epoch  accuracy ${pct(theirs)} %  (MLPClassifier, scikit-learn ${skVersion}, ${epochs} epochs)`);
    console.log(`  mlp ours - sklearn: accuracy ${(100 * d.mean).toFixed(2)} pt +- ${(100 * d.half).toFixed(2)} (95 % CI, ${diffs.length} seeds); time ${(oursEpoch / median(skEpoch)).toFixed(2)}x (${threads} thread${threads > 1 ? 's' : ''}), ${(median(perEpoch[1]!) / median(skEpoch)).toFixed(2)}x (1 thread)`);
  }
}

const python = findPython();
console.log(`heads bench: ${TRAIN} train + ${TEST} test rows x ${DIM} dims, node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'})`);
console.log(`load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine slows both sides and hides a second thread's gain)`);
console.log(`logistic regression: l2 ${L2} (sklearn C ${1 / L2}), max_iter ${MAX_ITER}, tol ${TOL}; OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS ?? 'unset'} OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS ?? 'unset'}`);
if (!python) console.log('python3 with scikit-learn not found: comparison skipped');

function benchLogreg(k: number): void {
  const data = makeSyntheticDataset({ n: TRAIN + TEST, dim: DIM, k, margin: 2.5, groups: 100, seed: 42 + k });
  const testX = data.x.subarray(TRAIN * DIM);
  const testY = data.y.subarray(TRAIN);
  const times: number[] = [];
  let model = fitLogisticRegression(data.x, TRAIN, DIM, data.y, k, { l2: L2, maxIter: MAX_ITER, tol: TOL });
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    model = fitLogisticRegression(data.x, TRAIN, DIM, data.y, k, { l2: L2, maxIter: MAX_ITER, tol: TOL });
    times.push((performance.now() - start) / 1000);
  }
  const ours = median(times);
  const oursAcc = accuracy(predictLogisticRegression(model, testX, TEST), testY, TEST, k);
  console.log(`  ours logreg    ${ours.toFixed(2)} s  accuracy ${(100 * oursAcc).toFixed(2)} %  (${model.iterations} iterations, converged ${model.converged}, ${defaultThreads(TRAIN * DIM * (k === 2 ? 1 : k) * 2)} threads, median of ${REPEATS} after a warm-up fit)`);
  if (python) {
    const sk = runSklearn(python, data.x, data.y, TRAIN);
    if (sk) {
      const threads = sk.threads.map(([api, n]) => `${api} ${n}`).join(', ') || 'unknown';
      console.log(`  sklearn logreg ${sk.seconds.toFixed(2)} s  accuracy ${(100 * sk.accuracy).toFixed(2)} %  (${sk.iterations} iterations, scikit-learn ${sk.version}, threads: ${threads})`);
      console.log(`  ratio ours / sklearn: time ${(ours / sk.seconds).toFixed(2)}x, accuracy ${(100 * (oursAcc - sk.accuracy)).toFixed(2)} pt`);
    }
  }
}

for (const k of option('--classes', 0) ? [option('--classes', 0)] : [2, 5, 10]) {
  console.log(`\n${k} classes`);
  if (!flag('--skip-logreg')) benchLogreg(k);
  if (!flag('--skip-mlp')) benchMlp(k);
}
console.log(`\nload average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
