import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

/** The Node bundles scripts/build.mjs writes (the preload is self-contained: electron only). */
export function nodeBundles(appDir: string): string[] {
  const workers = fs.readdirSync(path.join(appDir, 'dist', 'workers')).filter((name) => name.endsWith('.cjs'));
  return [path.join('dist', 'cli', 'histo.cjs'), path.join('dist', 'main', 'electron-main.cjs'), ...workers.map((name) => path.join('dist', 'workers', name))];
}

// `require("x")`, `require.resolve("x")` and the core's `nodeRequire("x")` (src-main/core/node-require.ts).
const REQUIRE = /\b(?:require|nodeRequire\d*)(?:\.resolve)?\("([^"]+)"\)/g;
const builtins = new Set(builtinModules);

/** Every module a bundle loads from node_modules at run time, as written in the bundle. */
export function externalRequires(bundleFile: string): string[] {
  const text = fs.readFileSync(bundleFile, 'utf8');
  const found = new Set<string>();
  for (const match of text.matchAll(REQUIRE)) {
    const spec = match[1]!;
    if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || builtins.has(spec) || spec === 'electron') continue;
    found.add(spec);
  }
  return [...found].sort();
}

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub` -> `name`. */
export function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Package name -> the bundles that load it. */
export function runtimePackages(appDir: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  for (const bundle of nodeBundles(appDir)) {
    for (const spec of externalRequires(path.join(appDir, bundle))) {
      const name = packageOf(spec);
      packages.set(name, [...(packages.get(name) ?? []), bundle]);
    }
  }
  return packages;
}
