// npm run bench:peer — histo embed against the pipeline most labs write in Python: OpenSlide reads
// tiles in torch DataLoader workers, a torchvision MobileNetV2 1.0 embeds them (bench/peer/). Both
// embed the same tiles of the same generated JPEG pyramid with a MobileNetV2 of the same
// architecture (ours: the real ImageNet weights in ONNX; theirs: random weights, which do not
// change speed), with the same number of threads. Needs Debian's python3-openslide, python3-torch
// and python3-torchvision; says so and stops without them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot } from '../src-main/core/app-root';
import { extractEmbeddings } from '../src-main/core/extraction/extract-embeddings';
import { ProjectStore } from '../src-main/core/project/project-store';
import { importBackbone } from '../src-main/core/registry/backbone-registry';
import { writeBenchPyramid } from './bench-slide';
import { mobileNetFile } from './mobilenet-file';

const BATCH = 16;
const THREADS = os.availableParallelism();

function findPython(): string | null {
  for (const candidate of [process.env.HISTO_BENCH_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-c', 'import openslide, torch, torchvision'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return null;
}

async function main() {
  console.log(`bench:peer on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const python = findPython();
  const model = mobileNetFile();
  if (!python) return console.log('python3 with openslide, torch and torchvision not found (Debian python3-openslide python3-torch python3-torchvision): skipped');
  if (!model) return console.log('no MobileNetV2 ONNX file (resources/backbones or ../shared/models): skipped');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-bench-peer-'));
  try {
    const side = Number(process.env.BENCH_SLIDE ?? 6720);
    const slide = await writeBenchPyramid(dir, side);
    const store = ProjectStore.create(path.join(dir, 'peer.histo'));
    let ours;
    try {
      const backbone = await importBackbone(store, model, { name: 'mobilenet-v2', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
      ours = await extractEmbeddings(store, { paths: [slide], backbone, level: 0, minTissue: 0, views: 'none', batchSize: BATCH, dtype: 'float32' });
      const tiles = store.db.prepare('SELECT x, y, width, height FROM tiles ORDER BY id').raw().all() as Array<[number, number, number, number]>;
      fs.writeFileSync(path.join(dir, 'tiles.json'), JSON.stringify(tiles));
    } finally {
      store.close();
    }
    console.log(`histo embed:               ${ours.tilesPerSecond.toFixed(1)} tiles/s (${ours.embedded} tiles of a ${side} x ${side} JPEG pyramid in ${ours.seconds.toFixed(1)} s, ${ours.provider})`);
    const script = path.join(appRoot(), 'bench', 'peer', 'openslide_torch_embed.py');
    const run = spawnSync(python, [script, slide, path.join(dir, 'tiles.json'), String(BATCH), String(THREADS), String(THREADS)], { encoding: 'utf8' });
    if (run.status !== 0) return console.log(`OpenSlide + torch failed: ${run.stderr.trim().split('\n').pop()}`);
    const theirs = JSON.parse(run.stdout.trim().split('\n').pop()!) as { tiles: number; seconds: number; tilesPerSecond: number; torch: string; openslide: string };
    console.log(
      `OpenSlide + torch DataLoader: ${theirs.tilesPerSecond.toFixed(1)} tiles/s (${theirs.tiles} tiles in ${theirs.seconds.toFixed(1)} s; ` +
        `torch ${theirs.torch}, OpenSlide ${theirs.openslide}, ${THREADS} loader workers, ${THREADS} threads)`,
    );
    console.log(`ratio histo / peer: ${(ours.tilesPerSecond / theirs.tilesPerSecond).toFixed(2)}x`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
