import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHisto } from '../helpers/run-cli';
import { centrePixelModel, linearEmbedder } from '../helpers/onnx-models';
import { writeNoisyPatchDataset } from '../helpers/embedding-fixtures';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

function json<T = Record<string, any>>(args: string[]): T {
  const result = runHisto(args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

describe('histo compare', () => {
  it('prints the ranking in the documented shape, best first', async () => {
    const dir = tempDir();
    const project = path.join(dir, 'p.histo');
    json(['project', 'create', project, '--json']);
    const root = await writeNoisyPatchDataset(dir, { a: [200, 110, 160], b: [150, 70, 170] }, 12);
    json(['dataset', 'import-folder', root, '--project', project, '--task', 'proxy', '--json']);
    json(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 3, dir }), '--project', project, '--name', 'good', '--json']);
    json(['backbone', 'import', centrePixelModel({ inputSize: 32, dim: 16, dir }), '--project', project, '--name', 'noise', '--json']);
    const result = json(['compare', '--project', project, '--task', 'proxy', '--backbones', 'noise,good', '--cv', '4', '--json']);
    expect(result).toMatchObject({ task: 'proxy', notSeparable: expect.any(Array), seconds: expect.any(Number) });
    expect(result.ranking.map((r: Record<string, unknown>) => r.backbone)).toEqual(['good', 'noise']);
    for (const entry of result.ranking) {
      expect(entry).toMatchObject({
        f1Macro: expect.any(Number),
        f1Std: expect.any(Number),
        ci95: [expect.any(Number), expect.any(Number)],
        balancedAccuracy: expect.any(Number),
        knnAccuracy: expect.any(Number),
        tilesPerSecond: expect.any(Number),
        dim: 16,
        rankMe: expect.any(Number),
        augInvariance: expect.any(Number),
      });
      expect(entry).toHaveProperty('rocAuc');
    }
    // The text says what the bootstrap resampled: the patch set's images, not "slides".
    expect(result.units).toMatchObject({ slides: { count: 0, tiles: 0 }, patchSets: [{ images: 24, units: 24, rule: 'image', included: true }] });
    const text = runHisto(['compare', '--project', project, '--task', 'proxy', '--backbones', 'noise,good', '--cv', '4', '--no-speed']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Bootstrap over 24 patch images (1 patch set).');
    const badId = runHisto(['compare', '--project', project, '--task', 'proxy', '--backbones', 'noise,good', '--exclude-patch-sets', 'first']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/--exclude-patch-sets: expected numeric patch set ids, got 'first'/);
    const usage = runHisto(['compare', '--project', project, '--task', 'proxy', '--backbones', 'good']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/at least two backbones/);
  });
});
