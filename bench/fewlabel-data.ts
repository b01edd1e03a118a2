// Real labelled data for bench:fewlabel: patch folders cut from the fixture slide by documented
// colour rules, embedded (with D4 views) by the bundled MobileNetV2 through the app's own import
// and extraction code. Cached in the OS temp folder by the slide's and the model's sha256.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openSlide } from '../src-main/core/slides/open-slide';
import { HED_FROM_RGB, opticalDensity } from '../src-main/core/backbones/stain-matrix';
import { ProjectStore } from '../src-main/core/project/project-store';
import { ensureBuiltinBackbones } from '../src-main/core/registry/backbone-registry';
import { BackbonesRepo } from '../src-main/core/project/repos/backbones-repo';
import { importPatchFolder } from '../src-main/core/labels/import-patch-folder';
import { extractEmbeddings } from '../src-main/core/extraction/extract-embeddings';
import { loadTaskDataset } from '../src-main/core/training/load-task-dataset';
import { projectEmbeddingStatistics } from '../src-main/core/training/project-statistics';
import { sha256OfFile } from '../src-main/core/extraction/backbone-model-file';
import type { Dataset } from '../src-main/core/heads/dataset';
import { appRoot, resourcesDir } from '../src-main/core/app-root';
import { TasksRepo } from '../src-main/core/project/repos/tasks-repo';

export const FIXTURE_SLIDE = path.join(appRoot(), 'test', 'fixtures', 'CMU-1-Small-Region.svs');
const TILE = 112;
export const BACKBONE = 'imagenet-mobilenet-v2';

/**
 * The rules, applied to every non-overlapping 112 x 112 level-0 tile (56 um at 0.499 um/px):
 * - tissue pixel: saturation (max - min channel) > 25 or luminance < 200.
 * - tissue fraction < 0.1: glass, not used.
 * - 'edge': tissue fraction in [0.1, 0.6): tissue border and loose tissue.
 * - tissue fraction >= 0.6: 'haematoxylin-rich' when the tile's mean haematoxylin share
 *   H / (H + E) over tissue pixels (colour deconvolution, Ruifrok-Johnston) is above the median of
 *   all such tiles, else 'eosin-rich'.
 */
export const RULES = [
  'non-overlapping 112 px level-0 tiles of CMU-1-Small-Region.svs; tissue pixel = saturation > 25 or luminance < 200',
  'tissue < 10%: glass (dropped); 10-60%: edge; >= 60%: haematoxylin-rich if mean H/(H+E) > median of those tiles, else eosin-rich',
];

function tileStats(rgb: Uint8Array): { tissue: number; hShare: number } {
  let tissue = 0;
  let h = 0;
  let e = 0;
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i]!;
    const g = rgb[i + 1]!;
    const b = rgb[i + 2]!;
    const lum = 0.299 * r + 0.587 * g + 0.114 * b;
    if (Math.max(r, g, b) - Math.min(r, g, b) <= 25 && lum >= 200) continue;
    tissue++;
    const od = [opticalDensity(r), opticalDensity(g), opticalDensity(b)];
    h += Math.max(0, od[0]! * HED_FROM_RGB[0]![0]! + od[1]! * HED_FROM_RGB[1]![0]! + od[2]! * HED_FROM_RGB[2]![0]!);
    e += Math.max(0, od[0]! * HED_FROM_RGB[0]![1]! + od[1]! * HED_FROM_RGB[1]![1]! + od[2]! * HED_FROM_RGB[2]![1]!);
  }
  return { tissue: tissue / (rgb.length / 3), hShare: h + e > 0 ? h / (h + e) : 0 };
}

/** Writes DIR/<class>/<x>_<y>.png from the fixture slide by the rules above; returns the per-class counts. */
async function writePatchFolders(root: string): Promise<Record<string, number>> {
  const slide = await openSlide(FIXTURE_SLIDE);
  const tiles: Array<{ x: number; y: number; rgb: Uint8Array; tissue: number; hShare: number }> = [];
  try {
    const { width, height } = slide.info;
    for (let y = 0; y + TILE <= height; y += TILE) {
      for (let x = 0; x + TILE <= width; x += TILE) {
        const image = await slide.readRegion(x, y, TILE, TILE, 0);
        tiles.push({ x, y, rgb: image.data, ...tileStats(image.data) });
      }
    }
  } finally {
    await slide.close();
  }
  const dense = tiles.filter((t) => t.tissue >= 0.6).map((t) => t.hShare).sort((a, b) => a - b);
  const median = dense[Math.floor(dense.length / 2)] ?? 0;
  const counts: Record<string, number> = {};
  for (const t of tiles) {
    if (t.tissue < 0.1) continue;
    const cls = t.tissue < 0.6 ? 'edge' : t.hShare > median ? 'haematoxylin-rich' : 'eosin-rich';
    fs.mkdirSync(path.join(root, cls), { recursive: true });
    await sharp(Buffer.from(t.rgb), { raw: { width: TILE, height: TILE, channels: 3 } }).png().toFile(path.join(root, cls, `${t.x}_${t.y}.png`));
    counts[cls] = (counts[cls] ?? 0) + 1;
  }
  return counts;
}

export interface RealData {
  dataset: Dataset;
  provenance: string[];
}

/** The fixture-slide patch set embedded by MobileNetV2 with D4 views (view 0 + 7), from cache when possible. */
export async function fixtureSlideDataset(log: (line: string) => void): Promise<RealData> {
  const backboneFile = path.join(resourcesDir(), 'backbones', `${BACKBONE}.onnx`);
  const key = `${sha256OfFile(FIXTURE_SLIDE).slice(0, 12)}-${sha256OfFile(backboneFile).slice(0, 12)}-v2`;
  const dir = path.join(os.tmpdir(), `histo-fewlabel-${key}`);
  const projectFile = path.join(dir, 'fewlabel.histo');
  const root = path.join(dir, 'patches');
  if (!fs.existsSync(path.join(dir, 'done'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    const counts = await writePatchFolders(root);
    log(`patch folders written: ${JSON.stringify(counts)}`);
    const store = ProjectStore.create(projectFile);
    try {
      await ensureBuiltinBackbones(store);
      const backbone = new BackbonesRepo(store.db).findByName(BACKBONE)!;
      await importPatchFolder(store, root, 'fixture-tissue');
      const started = performance.now();
      const summary = await extractEmbeddings(store, { paths: [root], backbone, views: 'd4', batchSize: 16, dtype: 'float32', minTissue: 0 });
      log(`embedded ${summary.tiles} tiles x 8 views with ${BACKBONE} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    } finally {
      store.close();
    }
    fs.writeFileSync(path.join(dir, 'done'), '');
  }
  const store = ProjectStore.open(projectFile);
  try {
    const backbone = new BackbonesRepo(store.db).findByName(BACKBONE)!;
    const task = new TasksRepo(store.db).require('fixture-tissue');
    const { dataset } = loadTaskDataset(store, task, backbone, { groupBy: 'none', withViews: true });
    dataset.projectStats = projectEmbeddingStatistics(store, backbone)?.stats;
    const perClass = dataset.classes.map((c, i) => `${c} ${dataset.y.filter((v) => v === i).length}`).join(', ');
    return {
      dataset,
      provenance: [
        `fixture slide ${path.basename(FIXTURE_SLIDE)} (sha256 ${key.slice(0, 12)}...), backbone ${BACKBONE} (bundled MobileNetV2, 1280-d), D4 views`,
        ...RULES,
        `${dataset.n} tiles (${perClass}), ${dataset.views?.n ?? 0} stored views; groups: none (every tile its own group); project in ${dir}`,
      ],
    };
  } finally {
    store.close();
  }
}
