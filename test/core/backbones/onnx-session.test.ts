import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../../src-main/core/backbones/onnx-session';
import { HistoError } from '../../../src-main/core/errors';
import { autoExecutionProviders } from '../../../src-main/core/runtime/execution-providers';
import { linearEmbedder } from '../../helpers/onnx-models';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

describe('createSession', () => {
  it('opens a model from a path or bytes on the best provider that loads, CPU last', async () => {
    const file = linearEmbedder({ inputSize: 16, dim: 4, seed: 1, dir: tempDir() });
    const fromPath = await createSession(file);
    expect(autoExecutionProviders()).toContain(fromPath.provider);
    expect(fromPath.session.inputNames).toEqual(['input']);
    await fromPath.session.release();
    const fromBytes = await createSession(fs.readFileSync(file), { provider: 'cpu', intraOpThreads: 1 });
    expect(fromBytes.provider).toBe('cpu');
    expect(fromBytes.session.outputNames).toEqual(['embedding']);
    await fromBytes.session.release();
  });

  it('names a forced provider that cannot start', async () => {
    const file = linearEmbedder({ inputSize: 16, dim: 4, seed: 1, dir: tempDir() });
    // DirectML exists only on Windows, CoreML only on macOS: one of them is missing on any machine.
    const missing = process.platform === 'win32' ? 'coreml' : 'dml';
    const err = await createSession(file, { provider: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoError);
    expect((err as Error).message).toContain(`${file}: execution provider '${missing}' failed to start`);
  });

  it('refuses a bad thread count', async () => {
    await expect(createSession(new Uint8Array(1), { intraOpThreads: -1 })).rejects.toThrow(/intraOpThreads/);
  });
});
