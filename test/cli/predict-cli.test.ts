import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHisto } from '../helpers/run-cli';
import { linearEmbedder } from '../helpers/onnx-models';
import { writeTwoRegionSlide } from '../helpers/embedding-fixtures';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

function json<T = Record<string, any>>(args: string[]): T {
  const result = runHisto(args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

describe('histo predict and audit', () => {
  it('predicts whole slides with exports, and every step lands in the audit trail', async () => {
    const dir = tempDir();
    const project = path.join(dir, 'p.histo');
    const slide = await writeTwoRegionSlide(path.join(dir, 'two-regions.tif'));
    json(['project', 'create', project, '--json']);
    json(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir }), '--project', project, '--name', 'lin', '--json']);
    json(['embed', slide, '--project', project, '--backbone', 'lin', '--size', '32', '--mpp', '0.5', '--min-tissue', '0', '--json']);
    json(['task', 'create', 'tumour', '--classes', 'stroma,tumour', '--project', project, '--json']);
    const rows = ['source,x,y,label', ...[0, 64, 128].map((x) => `${slide},${x},0,tumour`), ...[320, 384, 448].map((x) => `${slide},${x},0,stroma`), ...[0, 128].map((x) => `${slide},${x},96,tumour`), ...[352, 448].map((x) => `${slide},${x},96,stroma`)];
    fs.writeFileSync(path.join(dir, 'labels.csv'), rows.join('\n'));
    json(['labels', 'import', path.join(dir, 'labels.csv'), '--project', project, '--task', 'tumour', '--json']);
    const head = json(['train', '--project', project, '--task', 'tumour', '--backbone', 'lin', '--head', 'logreg', '--cv', '2', '--group', 'none', '--json']);

    const out = (name: string) => path.join(dir, name);
    fs.mkdirSync(out('maps'));
    const result = json([
      'predict', '--project', project, '--head', String(head.headId), slide, '--threshold', '0.5',
      '--csv', out('tiles.csv'), '--geojson', out('tiles.geojson'), '--summary', out('summary.csv'), '--report', out('reports'), '--map', out('maps'), '--json',
    ]);
    expect(result.slides).toEqual([{ path: slide, tiles: 128, positive: 64, fraction: 0.5, max: expect.any(Number), mean: expect.any(Number), meanTopK: expect.any(Number), positivesPerMm2: expect.any(Number) }]);
    expect(result.seconds).toEqual(expect.any(Number));
    expect(fs.readFileSync(out('tiles.csv'), 'utf8').split('\n')[0]).toBe('source,x,y,width,height,predicted,p_stroma,p_tumour');
    expect(JSON.parse(fs.readFileSync(out('tiles.geojson'), 'utf8')).features).toHaveLength(128);
    expect(fs.readFileSync(out('summary.csv'), 'utf8')).toMatch(/two-regions\.tif,tumour,0\.5,128,64,0\.500000/);
    expect(fs.readdirSync(out('reports'))).toEqual(['two-regions.tif.report.html']);
    // The class / probability map: a TIFF (geotiff writes big-endian); its pixels are checked in prediction-map-tiff.test.ts.
    expect(fs.readFileSync(out('maps/two-regions.tif.map.tif')).subarray(0, 4)).toEqual(Buffer.from([0x4d, 0x4d, 0, 42]));

    const audit = json<Array<Record<string, any>>>(['audit', '--project', project, '--json']);
    const actions = audit.map((e) => e.action).reverse();
    for (const action of ['project.create', 'backbone.import', 'embed', 'task.create', 'labels.import', 'train', 'predict', 'predict.export']) expect(actions).toContain(action);
    expect(audit.find((e) => e.action === 'predict')).toMatchObject({ appVersion: expect.any(String), modelSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(json<unknown[]>(['audit', '--project', project, '--action', 'train', '--json'])).toHaveLength(1);

    const bad = runHisto(['predict', '--project', project, '--head', '999', slide]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no head 999/);
  });
});
