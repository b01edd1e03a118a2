import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { minimatch } from 'minimatch';
import { describe, expect, inject, it } from 'vitest';
import { unpackedPath } from '../../src-main/core/app-root';

/**
 * electron-builder.yml against the production install: every file the app loads by path (the
 * main and preload scripts, the renderer, worker scripts, bundled backbones, native modules,
 * shared libraries and WebAssembly) must be packed by `files` (node_modules: by `dependencies`),
 * and whatever is read from the real file system must be unpacked by `asarUnpack`.
 */
const productionDir = inject('productionDir');
const config = yaml.load(fs.readFileSync(path.resolve(__dirname, '..', '..', 'electron-builder.yml'), 'utf8')) as { files: string[]; asarUnpack: string[] };

/** electron-builder's rule: a file is packed when the last pattern that matches it is not a negation. */
function packed(relative: string): boolean {
  let included = false;
  for (const pattern of config.files) {
    const negated = pattern.startsWith('!');
    if (minimatch(relative, negated ? pattern.slice(1) : pattern, { dot: true })) included = !negated;
  }
  return included;
}

function unpacked(relative: string): boolean {
  return config.asarUnpack.some((pattern) => minimatch(relative, pattern, { dot: true }));
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

const relative = (file: string) => path.relative(productionDir, file).split(path.sep).join('/');

describe('electron-builder.yml packs and unpacks what the bundles load by path', () => {
  it('packs the main script, the preload and the renderer', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(productionDir, 'package.json'), 'utf8')) as { main: string };
    const loaded = [pkg.main, 'dist/main/preload.cjs', 'dist/renderer/index.html', ...walk(path.join(productionDir, 'dist', 'renderer', 'assets')).map(relative)];
    for (const file of loaded) {
      expect(fs.existsSync(path.join(productionDir, file)), `${file} missing from the production copy`).toBe(true);
      expect(packed(file), `${file} is not packed by electron-builder.yml files`).toBe(true);
    }
  });

  it('packs and unpacks the worker scripts and bundled resources, where app-root resolves them', () => {
    const workers = walk(path.join(productionDir, 'dist', 'workers')).map(relative).filter((file) => file.endsWith('.worker.cjs'));
    const resources = walk(path.join(productionDir, 'resources')).map(relative).filter((file) => !file.startsWith('resources/build/'));
    expect(workers.length).toBeGreaterThan(0);
    expect(resources.some((file) => file.endsWith('.onnx'))).toBe(true);
    // Both classical baselines: v2 is offered, v1 still serves the projects that hold its vectors.
    for (const name of ['histo-classic-v1', 'histo-classic-v2']) {
      expect(resources).toEqual(expect.arrayContaining([`resources/backbones/${name}.onnx`, `resources/backbones/${name}.json`]));
    }
    for (const file of [...workers, ...resources]) {
      expect(packed(file), `${file} is not packed by electron-builder.yml files`).toBe(true);
      expect(unpacked(file), `${file} is loaded by path but not in asarUnpack`).toBe(true);
      // The core asks for <app>/app.asar/<file> and reads it from app.asar.unpacked, where asarUnpack put it.
      const packagedApp = path.join(path.sep, 'opt', 'histo', 'resources', 'app.asar');
      expect(unpackedPath(path.join(packagedApp, ...file.split('/')))).toBe(path.join(`${packagedApp}.unpacked`, ...file.split('/')));
    }
  });

  it('unpacks every native module, shared library and WebAssembly file of the production dependencies', () => {
    const native = walk(path.join(productionDir, 'node_modules')).map(relative).filter((file) => /\.(node|wasm|dll|dylib)$|\.so(\.\d+)*$/.test(file));
    // better-sqlite3, onnxruntime-node and sharp at least; a scan that finds none proves nothing.
    expect(native.some((file) => file.includes('better-sqlite3') && file.endsWith('.node'))).toBe(true);
    expect(native.some((file) => file.includes('onnxruntime-node'))).toBe(true);
    expect(native.some((file) => file.startsWith('node_modules/@img/'))).toBe(true);
    expect(native.some((file) => file.endsWith('.wasm'))).toBe(true);
    expect(native.filter((file) => !unpacked(file))).toEqual([]);
  });
});
