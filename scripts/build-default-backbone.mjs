#!/usr/bin/env node
// Builds the bundled classical backbones, resources/backbones/histo-classic-v1.onnx and
// histo-classic-v2.onnx, and their sidecar .json files from src-main/core/backbones/default-backbone.ts.
// Deterministic: the same sources give the same bytes, so the committed files can be checked by rebuilding.
//   node scripts/build-default-backbone.mjs [--out-dir DIR]
import { build } from 'esbuild';
import { nodeBundle } from './esbuild-node.mjs';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outFlag = args.indexOf('--out-dir');
const outDir = outFlag >= 0 && args[outFlag + 1] ? path.resolve(args[outFlag + 1]) : path.join(root, 'resources', 'backbones');

// The bundle lives inside the project so its run-time requires (onnx-proto) resolve from node_modules.
const cacheDir = path.join(root, 'node_modules', '.cache');
fs.mkdirSync(cacheDir, { recursive: true });
const tmp = fs.mkdtempSync(path.join(cacheDir, 'histo-backbone-'));
try {
  const bundle = path.join(tmp, 'default-backbone.cjs');
  await build({
    ...nodeBundle,
    absWorkingDir: root,
    entryPoints: ['src-main/core/backbones/default-backbone.ts'],
    outfile: bundle,
    logLevel: 'warning',
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const mod = createRequire(import.meta.url)(bundle);
  fs.mkdirSync(outDir, { recursive: true });
  for (const { name, bytes, sidecar, dim } of mod.bundledClassicBackboneFiles()) {
    const modelFile = path.join(outDir, `${name}.onnx`);
    fs.writeFileSync(modelFile, bytes);
    fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(sidecar, null, 2) + '\n');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    console.log(`${path.relative(process.cwd(), modelFile) || modelFile}: ${bytes.length} bytes, dim ${dim}, sha256 ${sha256}`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
