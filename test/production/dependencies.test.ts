import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { externalRequires, nodeBundles, runtimePackages } from './bundle-requires';

/**
 * Every module the bundles load at run time must come from `dependencies` (what `npm ci
 * --omit=dev` and electron-builder install), and `dependencies` holds nothing else: the renderer's
 * libraries are bundled by Vite and belong with the other build tools in devDependencies.
 */
const productionDir = inject('productionDir');
const pkg = JSON.parse(fs.readFileSync(path.join(productionDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('production dependencies', () => {
  const used = runtimePackages(productionDir);

  it('finds the runtime requires of the bundles', () => {
    // The scan itself must see the modules the core loads lazily, or the checks below prove nothing.
    expect([...used.keys()]).toEqual(expect.arrayContaining(['better-sqlite3', 'onnxruntime-node', 'onnx-proto', 'sharp', 'zod']));
  });

  it('lists every package the bundles load in dependencies', () => {
    const wrong = [...used].filter(([name]) => !(name in pkg.dependencies)).map(([name, bundles]) => `${name} (loaded by ${bundles.join(', ')}) is ${name in pkg.devDependencies ? 'a devDependency' : 'not a dependency'}: move it to dependencies`);
    expect(wrong).toEqual([]);
  });

  it('lists nothing in dependencies that no bundle loads', () => {
    const unused = Object.keys(pkg.dependencies).filter((name) => !used.has(name)).map((name) => `${name}: no bundle loads it at run time; move it to devDependencies`);
    expect(unused).toEqual([]);
  });

  it('loads every runtime require from the production install', () => {
    for (const bundle of nodeBundles(productionDir)) {
      const specs = externalRequires(path.join(productionDir, bundle));
      // Loaded from the bundle's own folder, as the bundle would; no devDependency is installed there.
      const script = `const r = require('node:module').createRequire(${JSON.stringify(path.join(productionDir, bundle))}); for (const s of ${JSON.stringify(specs)}) { try { r(s); } catch (e) { console.log(s + ': ' + e.message.split('\\n')[0]); } }`;
      const result = spawnSync(process.execPath, ['-e', script], { cwd: productionDir, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout.trim().split('\n').filter(Boolean), `${bundle}: requires that fail in the production install`).toEqual([]);
    }
  });
});
