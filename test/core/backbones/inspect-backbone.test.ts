import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectBackbone } from '../../../src-main/core/backbones/inspect-backbone';
import { HistoError } from '../../../src-main/core/errors';
import { fileDigest } from '../../helpers/file-digest';
import { fixedBatchModel, linearEmbedder, nanModel, twoOutputModel, unsupportedOpModel, wrongRankModel } from '../../helpers/onnx-models';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

async function refusal(promise: Promise<unknown>): Promise<HistoError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HistoError);
  return err as HistoError;
}

describe('inspectBackbone', () => {
  it('reads names, the static input size and dim from the model, with ImageNet defaults and the file hash', async () => {
    const dir = tempDir();
    const file = linearEmbedder({ inputSize: 32, dim: 16, seed: 1, dir });
    const before = fs.readdirSync(dir);
    const spec = await inspectBackbone(file, {});
    expect(spec).toMatchObject({
      name: 'linear-32-16',
      inputSize: 32,
      inputName: 'input',
      outputName: 'embedding',
      dim: 16,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      source: null,
      license: null,
      provider: 'cpu',
    });
    expect(spec.sha256).toBe(fileDigest(file));
    expect(fs.readdirSync(dir)).toEqual(before); // writes nothing
  });

  it('merges model < sidecar < overrides', async () => {
    const dir = tempDir();
    const file = twoOutputModel({ dir, dim: 6 });
    fs.writeFileSync(
      path.join(dir, 'two-outputs.json'),
      JSON.stringify({ name: 'from-sidecar', inputSize: 40, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], license: 'CC-BY-4.0', source: 'hf:x/y', description: 'test' }),
    );
    const fromSidecar = await inspectBackbone(file, {});
    expect(fromSidecar).toMatchObject({ name: 'from-sidecar', inputSize: 40, mean: [0.5, 0.5, 0.5], license: 'CC-BY-4.0', source: 'hf:x/y' });
    // Dynamic H/W: the size comes from the sidecar; the pooled [N, dim] output is picked over the token one.
    expect(fromSidecar).toMatchObject({ inputName: 'pixel_values', outputName: 'pooler_output', dim: 6 });
    const overridden = await inspectBackbone(file, { name: 'mine', inputSize: 24, license: null, outputName: 'pooler_output' });
    expect(overridden).toMatchObject({ name: 'mine', inputSize: 24, license: null, mean: [0.5, 0.5, 0.5] });
  });

  it('refuses a bad sidecar, naming the sidecar file and the field', async () => {
    const dir = tempDir();
    const file = linearEmbedder({ inputSize: 32, dim: 4, seed: 2, dir });
    const sidecar = path.join(dir, 'linear-32-4.json');
    fs.writeFileSync(sidecar, JSON.stringify({ meen: [0, 0, 0] }));
    expect((await refusal(inspectBackbone(file, {}))).message).toMatch(new RegExp(`^${sidecar}: not a backbone sidecar: .*meen`));
    fs.writeFileSync(sidecar, '{ not json');
    expect((await refusal(inspectBackbone(file, {}))).message).toMatch(new RegExp(`^${sidecar}: not valid JSON`));
  });

  it('refuses a file that is not an ONNX model, and a missing file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.onnx');
    fs.writeFileSync(file, 'this is a text file, not a model\n');
    const err = await refusal(inspectBackbone(file, {}));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(new RegExp(`^${file}: not an ONNX model \\(`));
    const png = path.join(dir, 'tile.onnx');
    fs.writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    expect((await refusal(inspectBackbone(png, {}))).message).toMatch(/tile\.onnx: not an ONNX model/);
    const missing = await refusal(inspectBackbone(path.join(dir, 'nope.onnx'), {}));
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('refuses an output that is not [batch, dim]', async () => {
    const file = wrongRankModel({ dir: tempDir(), inputSize: 16, channels: 4 });
    expect((await refusal(inspectBackbone(file, {}))).message).toBe(`${file}: output embedding has shape [2, 4, 16, 16], expected [batch, dim]`);
  });

  it('refuses a model producing NaN', async () => {
    const file = nanModel({ dir: tempDir() });
    expect((await refusal(inspectBackbone(file, {}))).message).toBe(`${file}: output embedding produces NaN/Inf on a test batch`);
  });

  it('wraps an unsupported operator with the file name', async () => {
    const file = unsupportedOpModel({ dir: tempDir() });
    const err = await refusal(inspectBackbone(file, {}));
    expect(err.message).toMatch(new RegExp(`^${file}: ONNX Runtime cannot load the model: .*NoSuchHistoOp`));
  });

  it('refuses a fixed batch size, a size the model cannot take, and a wrong declared dim', async () => {
    const dir = tempDir();
    const fixed = fixedBatchModel({ dir });
    expect((await refusal(inspectBackbone(fixed, {}))).message).toMatch(/fixed batch size of 1 .*dynamic batch/);
    const linear = linearEmbedder({ inputSize: 32, dim: 8, seed: 3, dir });
    expect((await refusal(inspectBackbone(linear, { inputSize: 64 }))).message).toMatch(/fixed at 32x32, but 64 was asked for/);
    expect((await refusal(inspectBackbone(linear, { dim: 9 }))).message).toMatch(/has 8 features, but dim 9 was asked for/);
    expect((await refusal(inspectBackbone(linear, { outputName: 'logits' }))).message).toMatch(/has no output named logits \(it has embedding\)/);
  });
});
