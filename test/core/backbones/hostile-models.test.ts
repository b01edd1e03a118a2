import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectBackboneIsolated } from '../../../src-main/core/backbones/isolated-inspect';
import { HistoError } from '../../../src-main/core/errors';
import { customDomainModel, endlessLoopModel, externalDataModel, hugeInputModel, memoryHogModel } from '../../helpers/hostile-models';
import { linearEmbedder } from '../../helpers/onnx-models';
import { runHisto } from '../../helpers/run-cli';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const MB = 1024 * 1024;
const generous = { timeoutMs: 60_000, memoryBytes: 2048 * MB };

async function refusal(promise: Promise<unknown>): Promise<HistoError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HistoError);
  expect((err as HistoError).code).toBe('BAD_INPUT');
  return err as HistoError;
}

/** Backbone import of crafted models, through the child process the app uses for every import. */
describe('hostile models at backbone import', () => {
  it('refuses external data outside the model folder (.., absolute, symlink) and accepts it inside', async () => {
    const dir = tempDir();
    const up = externalDataModel(path.join(dir, 'up'), '../secret.bin');
    expect((await refusal(inspectBackboneIsolated(up, {}, {}, generous))).message).toBe(
      `${up}: tensor weight keeps its data in "../secret.bin", outside the model's folder ${path.join(dir, 'up')}; refusing to read it`,
    );
    const absolute = externalDataModel(path.join(dir, 'abs'), path.join(dir, 'elsewhere', 'w.bin'));
    expect((await refusal(inspectBackboneIsolated(absolute, {}, {}, generous))).message).toContain(`keeps its data in "${path.join(dir, 'elsewhere', 'w.bin')}", outside`);

    const linked = externalDataModel(path.join(dir, 'link'), 'w.bin');
    fs.renameSync(path.join(dir, 'link', 'w.bin'), path.join(dir, 'outside.bin'));
    fs.symlinkSync(path.join(dir, 'outside.bin'), path.join(dir, 'link', 'w.bin'));
    expect((await refusal(inspectBackboneIsolated(linked, {}, {}, generous))).message).toContain('outside the model\'s folder');

    const inside = externalDataModel(path.join(dir, 'ok'), 'weights/w.bin');
    expect(await inspectBackboneIsolated(inside, {}, {}, generous)).toMatchObject({ inputSize: 32, dim: 4 });
  });

  it('refuses absurd input shapes before allocating anything', async () => {
    const file = hugeInputModel(tempDir());
    expect((await refusal(inspectBackboneIsolated(file, {}, {}, generous))).message).toBe(
      `${file}: input input declares 100000 pixels along axis 2 ([N, 3, 100000, 100000]); tiles are at most 4096`,
    );
  });

  it('refuses custom-op domains ONNX Runtime cannot load, naming the domain and operator', async () => {
    const file = customDomainModel(tempDir());
    expect((await refusal(inspectBackboneIsolated(file, {}, {}, generous))).message).toBe(
      `${file}: uses custom operators ONNX Runtime cannot load: org.example.custom (ReadHomeFolder); export the model with standard ONNX operators`,
    );
  });

  it('caps the memory of the test run: a model needing more is refused, an honest one under the same cap passes', async () => {
    const dir = tempDir();
    const cap = { timeoutMs: 60_000, memoryBytes: 256 * MB };
    const hog = memoryHogModel(dir);
    expect((await refusal(inspectBackboneIsolated(hog, {}, {}, cap))).message).toBe(
      `${hog}: refused: loading it and running a test batch of 2 tiles needed more than 256 MB of memory`,
    );
    const honest = linearEmbedder({ inputSize: 32, dim: 8, seed: 1, dir });
    expect(await inspectBackboneIsolated(honest, {}, {}, cap)).toMatchObject({ dim: 8 });
  });

  it('refuses a model whose test batch runs past the time limit, and kills it', async () => {
    const file = endlessLoopModel(tempDir());
    const started = performance.now();
    expect((await refusal(inspectBackboneIsolated(file, {}, {}, { timeoutMs: 1500, memoryBytes: 2048 * MB }))).message).toBe(
      `${file}: refused: loading it and running a test batch of 2 tiles took more than 1.5 s`,
    );
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('`histo backbone import` refuses a slow model within the limit and leaves the project untouched', () => {
    const dir = tempDir();
    const project = path.join(dir, 'p.histo');
    expect(runHisto(['project', 'create', project]).code).toBe(0);
    const before = runHisto(['project', 'info', project, '--json']).stdout;
    const file = endlessLoopModel(dir);
    const started = performance.now();
    const result = runHisto(['backbone', 'import', file, '--project', project, '--name', 'spin'], { HISTO_IMPORT_TIMEOUT_S: '2' });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: refused: loading it and running a test batch of 2 tiles took more than 2 s`);
    expect(runHisto(['project', 'info', project, '--json']).stdout).toBe(before);
  });
});
