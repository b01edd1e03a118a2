// npm run bench:memory — peak RSS of `histo embed` on a generated slide of ~100k tiles (target < 1.5 GB).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { linearEmbedder } from '../test/helpers/onnx-models';

const SIDE = Number(process.env.BENCH_MEMORY_SIDE ?? 10112); // 10112 / 32 = 316 -> 99,856 tiles of 32 px

function peakRssOf(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-bench-memory-'));
  const slide = path.join(dir, 'big.tif');
  const t0 = performance.now();
  await sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: { r: 200, g: 120, b: 170 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .tiff({ tile: true, tileWidth: 256, tileHeight: 256, pyramid: true, compression: 'jpeg', quality: 80, xres: 4000, yres: 4000 })
    .toFile(slide);
  console.log(`generated a ${SIDE} x ${SIDE} JPEG pyramid (${(fs.statSync(slide).size / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const project = path.join(dir, 'bench.histo');
  const histo = path.resolve('bin/histo.cjs');
  execFileSync(process.execPath, [histo, 'project', 'create', project]);
  execFileSync(process.execPath, [histo, 'backbone', 'import', linearEmbedder({ inputSize: 32, dim: 64, seed: 1, dir }), '--project', project, '--name', 'lin']);

  const child = spawn(process.execPath, [histo, 'embed', slide, '--project', project, '--backbone', 'lin', '--size', '32', '--level', '0', '--min-tissue', '0', '--batch', '256', '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRssOf(child.pid!))), 100);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`histo embed exited with ${code}`);
  const summary = JSON.parse(stdout) as { tiles: number; embedded: number; seconds: number; tilesPerSecond: number };
  console.log(`embedded ${summary.embedded} of ${summary.tiles} tiles in ${summary.seconds.toFixed(1)} s (${summary.tilesPerSecond.toFixed(0)} tiles/s)`);
  console.log(`peak RSS of histo embed: ${(peak / 2 ** 20).toFixed(0)} MiB (target < 1536 MiB)`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
