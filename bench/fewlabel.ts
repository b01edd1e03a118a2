// Few labels, best heads: learning curves (F1 macro at 2/5/10/25 labels per class, 20 draws) of
// the app's `auto` head, plain L2 logistic regression on raw embeddings and standardise-on-rows,
// each without and with every stored view; on real MobileNetV2 embeddings of patches cut from the
// fixture slide and on a generated failure-mode problem; scikit-learn on the same vectors where
// python3 with scikit-learn is installed. Also 5-fold CV with all labels against scikit-learn's
// standardised logistic regression.
//   npm run bench:fewlabel -- [--repeats 20] [--labels 2,5,10,25] [--skip-real] [--skip-generated]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dataset } from '../src-main/core/heads/dataset';
import { crossValidate } from '../src-main/core/heads/evaluate';
import { learningCurve } from '../src-main/core/heads/learning-curve';
import { makeFailureModeDataset } from '../src-main/core/heads/failure-mode-data';
import type { HeadParamsByKind } from '../src-main/core/heads/head';
import { AUTO_FALLBACK, AUTO_MIN_ROWS_PER_CLASS } from '../src-main/core/heads/auto-preprocessing';
import { defaultHeadParams } from '../src-main/core/training/default-search-spaces';
import { describePairedDifference } from '../src-shared/domain/paired-difference';
import { findPython } from './find-python';
import { fixtureSlideDataset } from './fewlabel-data';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const REPEATS = Number(option('--repeats', '20'));
const LABELS = option('--labels', '2,5,10,25').split(',').map(Number);
const SEED = 7;

type LogRegParams = HeadParamsByKind['logreg'];
/** What is compared. `views`: also trained with every stored view of each labelled row (same draws). */
const CONFIGS: Array<{ name: string; params: LogRegParams; views: boolean }> = [
  { name: 'auto (app default)', params: defaultHeadParams.logreg as LogRegParams, views: true },
  { name: 'plain L2 logreg, raw (C=1)', params: { preprocess: 'none', l2: 1, classWeight: 'none' }, views: true },
  { name: 'standardise-on-rows', params: { preprocess: 'standardize', classWeight: 'balanced' }, views: true },
  // Fallback evidence: the fixed choices auto could fall back to, without views.
  { name: 'fixed none (balanced)', params: { preprocess: 'none', classWeight: 'balanced' }, views: false },
  { name: 'fixed l2 (balanced)', params: { preprocess: 'l2', classWeight: 'balanced' }, views: false },
  { name: 'fixed standardize-project', params: { preprocess: 'standardize-project', classWeight: 'balanced' }, views: false },
];

const f3 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '  n/a' : v.toFixed(3));

function runCurves(label: string, data: Dataset): Record<string, number[]> {
  const table: Record<string, number[]> = {};
  console.log(`\n${label}: F1 macro, mean of ${REPEATS} draws (labels per class: ${LABELS.join(', ')})`);
  console.log(`${'configuration'.padEnd(34)} ${LABELS.map((n) => String(n).padStart(6)).join(' ')}   seconds`);
  for (const config of CONFIGS) {
    if (config.params.preprocess === 'standardize-project' && !data.projectStats) continue;
    const started = performance.now();
    const points = learningCurve({ dataset: data, kind: 'logreg', params: config.params, labelsPerClass: LABELS, repeats: REPEATS, seed: SEED, ...(config.views && data.views ? { augment: 'views' } : {}) });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    table[config.name] = points.map((p) => p.f1Macro);
    console.log(`${config.name.padEnd(34)} ${points.map((p) => f3(p.f1Macro).padStart(6)).join(' ')}   ${seconds}`);
    if (config.views && data.views) {
      table[`${config.name} + all views`] = points.map((p) => p.f1MacroAugmented ?? NaN);
      console.log(`${'  + all views'.padEnd(34)} ${points.map((p) => f3(p.f1MacroAugmented).padStart(6)).join(' ')}`);
      points.forEach((p) => console.log(`${''.padEnd(6)}views at ${String(p.labelsPerClass).padStart(2)}/class: ${describePairedDifference(p.difference!)}`));
    }
  }
  return table;
}

function sklearnSide(python: string, data: Dataset): Record<string, unknown> | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-fewlabel-sk-'));
  try {
    fs.writeFileSync(path.join(dir, 'x.f32'), data.x);
    fs.writeFileSync(path.join(dir, 'y.i32'), data.y);
    fs.writeFileSync(path.join(dir, 'vx.f32'), data.views?.x ?? new Float32Array(0));
    fs.writeFileSync(path.join(dir, 'vrow.i32'), data.views?.row ?? new Int32Array(0));
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ n: data.n, dim: data.dim, labels: LABELS, repeats: REPEATS, seed: SEED }));
    const script = path.join(process.cwd(), 'bench', 'fewlabel-sklearn.py');
    const run = spawnSync(python, [script, dir], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    if (run.status !== 0) {
      console.log(`scikit-learn run failed: ${run.stderr.split('\n').slice(-3).join(' ')}`);
      return null;
    }
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printSklearn(result: Record<string, unknown>): void {
  const curve = result.curve as Record<string, Record<string, number>>;
  console.log(`scikit-learn ${String(result.version)} on the same vectors (its own draws, same protocol):`);
  for (const config of ['plain', 'plain+views', 'standardize', 'standardize+views']) {
    console.log(`  ${config.padEnd(32)} ${LABELS.map((n) => f3(curve[String(n)]?.[config]).padStart(6)).join(' ')}`);
  }
}

function fullLabelCv(data: Dataset, sklearn: Record<string, unknown> | null): void {
  const started = performance.now();
  const cv = crossValidate({ dataset: data, kind: 'logreg', params: defaultHeadParams.logreg as LogRegParams, folds: 5, seed: 0 });
  const chosen = [...new Set(cv.folds.map((f) => f.preprocess))].join(', ');
  console.log(`all labels, 5-fold CV: app default (auto) F1 macro ${f3(cv.metrics.f1Macro)} (preprocessing chosen per fold: ${chosen}; ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (sklearn) console.log(`all labels, 5-fold CV: scikit-learn StandardScaler + LogisticRegression(C=1) F1 macro ${f3(sklearn.cv5StandardizedLogreg as number)}`);
}

async function main(): Promise<void> {
  console.log(`bench:fewlabel  node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg()[0]!.toFixed(1)}; figures are noisy on a shared machine`);
  console.log(`auto: nested CV (3 inner folds) over preprocessing x l2 when every class has >= ${AUTO_MIN_ROWS_PER_CLASS} rows, else the fixed fallback '${AUTO_FALLBACK}'`);
  const python = findPython();
  if (!python) console.log('python3 with scikit-learn not found: scikit-learn comparison skipped');
  if (!args.includes('--skip-real')) {
    const real = await fixtureSlideDataset((line) => console.log(line));
    console.log('\nDATA 1 (real):');
    for (const line of real.provenance) console.log(`  ${line}`);
    runCurves('fixture-slide patches, MobileNetV2', real.dataset);
    const sk = python ? sklearnSide(python, real.dataset) : null;
    if (sk) printSklearn(sk);
    fullLabelCv(real.dataset, sk);
  }
  if (!args.includes('--skip-generated')) {
    const generated = makeFailureModeDataset({ perClass: 60, unlabelled: 600, views: 7, seed: 3 });
    console.log('\nDATA 2 (generated failure mode): src-main/core/heads/failure-mode-data.ts, seed 3');
    console.log('  3 classes x 60 rows, 512-d: 24 informative dims (std 1, class shifts 1.2), 8 nuisance dims (std 3), 480 near-silent noise dims (std 0.001-0.05); 600 unlabelled rows for project statistics; 7 views per row (+0.3 x scale noise)');
    runCurves('generated failure mode', generated);
    const sk = python ? sklearnSide(python, generated) : null;
    if (sk) printSklearn(sk);
    fullLabelCv(generated, sk);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
