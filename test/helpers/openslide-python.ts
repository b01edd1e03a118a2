import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A Python with Debian's python3-openslide, where installed: the reference reader. */
export function openSlidePython(): string | null {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(python, ['-c', 'import openslide'], { stdio: 'ignore' });
      return python;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * OpenSlide's read_region of each region (level-0 x, y, level, width, height) as RGB bytes,
 * written by the reference reader into `dir` and read back.
 */
export function openSlideRegions(python: string, slide: string, dir: string, regions: ReadonlyArray<readonly [number, number, number, number, number]>): Uint8Array[] {
  const script = `
import sys, openslide
s = openslide.OpenSlide(sys.argv[1])
for i, (x, y, level, w, h) in enumerate([${regions.map((r) => `(${r.join(',')})`).join(',')}]):
    open(f"{sys.argv[2]}/r{i}.rgb", "wb").write(s.read_region((x, y), level, (w, h)).convert("RGB").tobytes())
`;
  execFileSync(python, ['-c', script, slide, dir]);
  return regions.map((_, i) => new Uint8Array(fs.readFileSync(path.join(dir, `r${i}.rgb`))));
}
