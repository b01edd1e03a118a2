import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// No import circle among source files: a circle makes load order decide behaviour and lets one
// layer lean on another through the back door. Type-only imports count too, since a circle of types
// is where the runtime ones start.
const root = path.resolve(__dirname, '../..');
const sourceRoots = ['src-main', 'src-shared', 'src-renderer'];
const sourceExtensions = ['.ts', '.mts', '.vue'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return sourceExtensions.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The relative specifiers a file imports or re-exports, statically or with import(). */
export function importSpecifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) if (match[1]!.startsWith('.')) found.push(match[1]!);
  return found;
}

function resolveImport(from: string, specifier: string): string | null {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, ...sourceExtensions.map((ext) => base + ext), ...sourceExtensions.map((ext) => path.join(base, `index${ext}`))];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) ?? null;
}

/** Every import circle as a list of files (relative to the repository), found by Tarjan's strongly connected components. */
export function importCircles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) circles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return circles;
}

describe('import graph', () => {
  it('finds a circle when there is one (the checker itself works)', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']], ['e', ['e']]]);
    expect(importCircles(graph)).toEqual([['a', 'b', 'c'], ['e']]);
    expect(importSpecifiers(`import type { A } from './a';\nexport * from "../b";\nimport './c.css';\nconst m = await import('./d');\nimport z from 'zod';`)).toEqual(['./a', '../b', './c.css', './d']);
  });

  it('has no import circle among the source files of src-main, src-shared and src-renderer', () => {
    const graph = new Map<string, string[]>();
    const files = sourceRoots.flatMap((dir) => sourceFiles(path.join(root, dir)));
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      const targets = importSpecifiers(fs.readFileSync(file, 'utf8'))
        .map((specifier) => resolveImport(file, specifier))
        .filter((target): target is string => target !== null && sourceExtensions.some((ext) => target.endsWith(ext)));
      graph.set(path.relative(root, file), targets.map((t) => path.relative(root, t)));
    }
    expect(importCircles(graph)).toEqual([]);
  });
});
