import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fileDigest } from '../helpers/file-digest';
import { embeddedTwoRegionProject } from '../helpers/search-fixtures';
import { runHisto } from '../helpers/run-cli';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

type Results = { results: Array<{ tileId: number; source: string; x: number; y: number; similarity: number; label?: string }> };

function json<T>(args: string[]): T {
  const result = runHisto(args);
  expect(result.code, `histo ${args.slice(0, 2).join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function embeddedProject() {
  const dir = tempDir();
  return { dir, ...(await embeddedTwoRegionProject(dir)) };
}

describe('histo search and histo map', () => {
  it('an image cut from a stored tile finds what the tile finds; a point of the slide too; the map covers every tile', async () => {
    const { dir, project, slide } = await embeddedProject();
    const byPoint = json<Results>(['search', '--project', project, '--backbone', 'lin', '--slide', slide, '--x', '70', '--y', '40', '--k', '10', '--json']);
    const queryTile = byPoint.results[0]!;
    expect(queryTile).toMatchObject({ source: slide, x: 64, y: 32 });
    expect(queryTile.similarity).toBeCloseTo(1, 5);
    // Dark left half: every neighbour of a left tile is on the left.
    expect(byPoint.results.every((r) => r.x < 256)).toBe(true);

    const byTile = json<Results>(['search', '--project', project, '--backbone', 'lin', '--tile', String(queryTile.tileId), '--k', '10', '--json']);
    expect(byTile.results).toEqual(byPoint.results);

    const png = path.join(dir, 'tile.png');
    expect(runHisto(['slide', 'region', slide, '--x', '64', '--y', '32', '--width', '32', '--height', '32', '--out', png]).code).toBe(0);
    const byImage = json<Results>(['search', '--project', project, '--backbone', 'lin', '--image', png, '--k', '10', '--json']);
    expect(byImage.results.map((r) => r.tileId)).toEqual(byTile.results.map((r) => r.tileId));
    byImage.results.forEach((r, i) => expect(r.similarity).toBeCloseTo(byTile.results[i]!.similarity, 5));

    // Another size and colour depth (RGBA, 16 bits per channel): resized and converted as patches are.
    const odd = path.join(dir, 'odd.png');
    await sharp(png).resize(50, 40).ensureAlpha().toColourspace('rgb16').png().toFile(odd);
    const byOdd = json<Results>(['search', '--project', project, '--backbone', 'lin', '--image', odd, '--k', '5', '--json']);
    expect(byOdd.results).toHaveLength(5);
    expect(byOdd.results.every((r) => r.x < 256)).toBe(true);
    // One channel (greyscale, 8 bits) at yet another size: expanded to the backbone's three.
    const grey = path.join(dir, 'grey.png');
    await sharp(png).resize(21, 33).greyscale().png().toFile(grey);
    const byGrey = json<Results>(['search', '--project', project, '--backbone', 'lin', '--image', grey, '--k', '5', '--json']);
    expect(byGrey.results).toHaveLength(5);
    expect(byGrey.results.every((r) => r.x < 256)).toBe(true);

    const csv = path.join(dir, 'map.csv');
    const mapped = json<{ tiles: number; method: string; file: string }>(['map', '--project', project, '--backbone', 'lin', '--out', csv, '--json']);
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('tileId,source,x,y,mapX,mapY');
    expect(lines).toHaveLength(mapped.tiles + 1);
    expect(mapped.method).toMatch(/UMAP/);
  });

  it('refuses bad input with a one-line error and leaves the project untouched', async () => {
    const { dir, project } = await embeddedProject();
    const text = path.join(dir, 'not-an-image.txt');
    fs.writeFileSync(text, 'hello');
    const cases: Array<[string, string[], number, RegExp]> = [
      ['k = 0', ['--tile', '1', '--k', '0'], 2, /--k: expected a whole number from 1 to 10000, got '0'/],
      ['an absurd k', ['--tile', '1', '--k', '99999999'], 2, /--k: expected a whole number from 1 to 10000/],
      ['an unknown tile', ['--tile', '424242'], 1, /no tile 424242 in this project/],
      ['a backbone with no stored vectors', ['--tile', '1', '--backbone', 'histo-classic-v2'], 1, /backbone 'histo-classic-v2' has no stored vectors/],
      ['a file that is not an image', ['--image', text], 1, /not-an-image\.txt/],
      ['two queries at once', ['--tile', '1', '--image', 'x.png'], 2, /give exactly one query/],
    ];
    const before = fileDigest(project);
    for (const [name, args, code, message] of cases) {
      const backbone = args.includes('--backbone') ? [] : ['--backbone', 'lin'];
      const result = runHisto(['search', '--project', project, ...backbone, ...args]);
      expect(result.code, name).toBe(code);
      // One line says what is wrong; usage errors (exit 2) add the project's usual help hint.
      const lines = result.stderr.trim().split('\n');
      expect(lines[0], name).toMatch(message);
      expect(lines.slice(1), name).toEqual(code === 2 ? ["Run 'histo --help' for usage."] : []);
      expect(fileDigest(project), name).toBe(before);
    }
  });
});
