#!/usr/bin/env node
// Runs a TypeScript entry (a bench, a one-off script) without a TS runtime: bundles it with esbuild
// into a temporary CommonJS file (packages stay external, loaded from node_modules) and runs it
// with the remaining arguments. The slide decode worker is bundled beside it so the entry decodes
// on worker threads exactly as the app does.
//   node scripts/run-ts.mjs bench/slides-bench.ts [args...]
// HISTO_NODE_ARGS passes flags to node, e.g. HISTO_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
import { build } from 'esbuild';
import { nodeBundle } from './esbuild-node.mjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-run-ts-'));
// Every core worker (src-main/core/**/NAME.worker.ts), as scripts/build.mjs builds them.
const workers = {};
const walk = (dir) => {
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) walk(full);
    else if (item.name.endsWith('.worker.ts')) workers[item.name.replace(/\.ts$/, '')] = path.relative(root, full);
  }
};
walk(path.join(root, 'src-main', 'core'));
await build({
  ...nodeBundle,
  absWorkingDir: root,
  entryPoints: { main: path.resolve(entry), ...workers },
  outdir,
  outExtension: { '.js': '.cjs' },
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'silent' },
  // Bundles in a temp folder still resolve packages from the project.
  nodePaths: [path.join(root, 'node_modules')],
});
const env = { ...process.env, HISTO_WORKERS_DIR: outdir, HISTO_SLIDE_DECODE_WORKER: path.join(outdir, 'tile-decode.worker.cjs'), NODE_PATH: path.join(root, 'node_modules') };
const result = spawnSync(process.execPath, [...(process.env.HISTO_NODE_ARGS ? process.env.HISTO_NODE_ARGS.split(' ') : []), path.join(outdir, 'main.cjs'), ...args], { stdio: 'inherit', env, cwd: root });
fs.rmSync(outdir, { recursive: true, force: true });
process.exit(result.status ?? 1);
