// Image-query precision on a labelled patch set (the acceptance check of search by example):
// every patch is embedded with a real backbone, then each patch's image file is used as a query
// and precision@k counts the k nearest other patches that share its class.
//   node scripts/run-ts.mjs bench/search-precision.ts --patches DIR [--model FILE.onnx] [--mean 0.5] [--std 0.5] [--k 10] [--max-queries 300]
// DIR is an ImageFolder set (DIR/<class>/<image>.png|jpg), ideally held out from any training.
// The default model is the ImageNet MobileNetV2 in ../shared/models (mean = std = 0.5); run from the repository root.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SearchResponse } from '../src-shared/contract';
import { HistoCore } from '../src-main/core/histo-core';
import { embedTiles } from '../src-main/core/extraction/embed-tiles';
import { importPatchFolder } from '../src-main/core/labels/import-patch-folder';
import { LabelsRepo } from '../src-main/core/project/repos/labels-repo';
import { ProjectStore } from '../src-main/core/project/project-store';
import { BackbonesRepo } from '../src-main/core/project/repos/backbones-repo';

const args = process.argv.slice(2);
const text = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const patches = text('--patches');
const model = text('--model') ?? path.resolve(process.cwd(), '..', 'shared', 'models', 'imagenet_mobilenet_v2_1.0_224_emb1280.onnx');
const mean = Number(text('--mean') ?? 0.5);
const std = Number(text('--std') ?? 0.5);
const K = Number(text('--k') ?? 10);
const MAX_QUERIES = Number(text('--max-queries') ?? 300);

async function main(): Promise<void> {
  if (!patches) throw new Error('give --patches DIR (an ImageFolder patch set: DIR/<class>/<image>)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-precision-'));
  const core = new HistoCore();
  try {
    const store = core.useProject(ProjectStore.create(path.join(dir, 'precision.histo')));
    const imported = await core.dispatch('backbone.import', { path: path.resolve(model), name: 'eval', mean: [mean, mean, mean], std: [std, std, std] });
    if (!imported.ok) throw new Error(imported.error.message);
    const backbone = new BackbonesRepo(store.db).resolve('eval');
    const started = performance.now();
    const result = await importPatchFolder(store, patches, 'eval');
    const labels = new LabelsRepo(store.db).all(result.task.id);
    await embedTiles(store, backbone, labels.map((l) => l.tileId));
    console.log(`${labels.length} patches in ${result.task.classes.length} classes (${Object.entries(result.perClass).map(([c, n]) => `${c} ${n}`).join(', ')}), embedded by ${path.basename(model)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const classOf = new Map(labels.map((l) => [l.tileId, l.className]));
    // Queries spread evenly over the set when it is larger than --max-queries.
    const step = Math.max(1, labels.length / MAX_QUERIES);
    const queries = Array.from({ length: Math.min(labels.length, MAX_QUERIES) }, (_, i) => labels[Math.floor(i * step)]!);
    const perClass = new Map<string, number[]>();
    for (const query of queries) {
      const out = await core.dispatch('search.run', { backbone: 'eval', query: { kind: 'image', path: query.path }, k: K + 1 });
      if (!out.ok) throw new Error(out.error.message);
      // Excluding itself: the stored tile of the very file the query image came from.
      const others = (out.result as SearchResponse).results.filter((r) => r.tileId !== query.tileId).slice(0, K);
      const precision = others.filter((r) => classOf.get(r.tileId) === query.className).length / K;
      perClass.set(query.className, [...(perClass.get(query.className) ?? []), precision]);
    }
    const all = [...perClass.values()].flat();
    const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    console.log(`mean precision@${K} of image queries (same class, excluding itself): ${meanOf(all).toFixed(3)} over ${all.length} queries (acceptance: >= 0.85)`);
    for (const [name, values] of perClass) console.log(`  ${name}: ${meanOf(values).toFixed(3)} (${values.length} queries)`);
  } finally {
    core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
