import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { BackbonesRepo } from '../../../src-main/core/project/repos/backbones-repo';
import { ensureBuiltinBackbones } from '../../../src-main/core/registry/backbone-registry';
import { DEFAULT_PROJECT_BACKBONE } from '../../../src-main/core/backbones/default-backbone';
import { builtinBackbonesDir } from '../../../src-main/core/extraction/backbone-model-file';
import { resourcesDir } from '../../../src-main/core/app-root';
import { fileDigest } from '../../helpers/file-digest';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

describe('imagenet-mobilenet-v2, the bundled deep backbone', () => {
  it('is the shared MobileNetV2 file, with its sidecar, licence and notice', () => {
    const file = path.join(builtinBackbonesDir(), 'imagenet-mobilenet-v2.onnx');
    // The sha256 documented in ../shared/models/README.md for the converted model.
    expect(fileDigest(file)).toBe('47a562b89373c5fdc42d1ac7e6f1f3b4e0cb65ef69fe3069a81ddf8defddee02');
    const sidecar = JSON.parse(fs.readFileSync(file.replace(/\.onnx$/, '.json'), 'utf8')) as Record<string, unknown>;
    expect(sidecar).toMatchObject({ name: 'imagenet-mobilenet-v2', inputSize: 224, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], license: 'Apache-2.0' });
    const notice = fs.readFileSync(path.join(resourcesDir(), 'THIRD-PARTY-NOTICES.md'), 'utf8');
    expect(notice).toContain('converted from Google');
    expect(fs.readFileSync(path.join(resourcesDir(), 'licenses', 'Apache-2.0.txt'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
  });

  it('a new project registers it next to histo-classic-v2 and a new project uses it by default', async () => {
    const dir = tempDir();
    const store = ProjectStore.create(path.join(dir, 'p.histo'));
    try {
      expect(store.summary().defaultBackbone).toBe(DEFAULT_PROJECT_BACKBONE);
      await ensureBuiltinBackbones(store);
      const builtins = new BackbonesRepo(store.db).list().filter((b) => b.builtin);
      expect(builtins.map((b) => b.name).sort()).toEqual(['histo-classic-v2', 'imagenet-mobilenet-v2']);
      expect(builtins.find((b) => b.name === 'imagenet-mobilenet-v2')).toMatchObject({ dim: 1280, inputSize: 224, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
      expect(store.summary().defaultBackbone).toBe(DEFAULT_PROJECT_BACKBONE);
    } finally {
      store.close();
    }
  }, 60_000);
});
