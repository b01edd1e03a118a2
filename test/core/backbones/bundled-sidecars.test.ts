import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredBackbone, inspectBackbone } from '../../../src-main/core/backbones/inspect-backbone';
import { builtinBackbonesDir } from '../../../src-main/core/extraction/backbone-model-file';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { BackbonesRepo } from '../../../src-main/core/project/repos/backbones-repo';
import { ensureBuiltinBackbones, resolveBackbone } from '../../../src-main/core/registry/backbone-registry';
import { linearEmbedder } from '../../helpers/onnx-models';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const SPEC_FIELDS = ['name', 'inputSize', 'mean', 'std', 'inputName', 'outputName', 'dim', 'source', 'license'] as const;

function specOf(b: object): Record<string, unknown> {
  return Object.fromEntries(SPEC_FIELDS.map((k) => [k, (b as Record<string, unknown>)[k]]));
}

const bundled = fs
  .readdirSync(builtinBackbonesDir())
  .filter((f) => f.endsWith('.onnx'))
  .sort();

describe('bundled backbones are registered from their sidecars', () => {
  it('every bundled sidecar states the spec in full, and it is what inspecting the model finds', async () => {
    expect(bundled).toEqual(['histo-classic-v1.onnx', 'histo-classic-v2.onnx', 'imagenet-mobilenet-v2.onnx']);
    for (const name of bundled) {
      const file = path.join(builtinBackbonesDir(), name);
      const declared = declaredBackbone(file);
      expect(declared, name).not.toBeNull();
      expect(specOf(declared!), name).toEqual(specOf(await inspectBackbone(file, {})));
    }
  });

  it('a fresh project records each bundled backbone as inspection would, with the file hash', async () => {
    const store = ProjectStore.create(path.join(tempDir(), 'fresh.histo'));
    try {
      await ensureBuiltinBackbones(store);
      await resolveBackbone(store, 'histo-classic-v1'); // superseded: registered when asked for by name
      const stored = new BackbonesRepo(store.db).list();
      expect(stored.map((b) => b.name).sort()).toEqual(['histo-classic-v1', 'histo-classic-v2', 'imagenet-mobilenet-v2']);
      for (const b of stored) {
        const inspected = await inspectBackbone(path.join(builtinBackbonesDir(), `${b.name}.onnx`), {});
        expect(specOf(b), b.name).toEqual(specOf(inspected));
        expect(b.sha256, b.name).toBe(inspected.sha256);
      }
    } finally {
      store.close();
    }
  });

  it('a sidecar whose dim the model does not produce is refused on import, naming the sidecar', async () => {
    const file = linearEmbedder({ dir: tempDir(), inputSize: 32, dim: 8, seed: 1 });
    const sidecar = file.replace(/\.onnx$/, '.json');
    fs.writeFileSync(sidecar, JSON.stringify({ dim: 9 }));
    await expect(inspectBackbone(file, {})).rejects.toThrow(`${sidecar}: declares dim 9, but output`);
    fs.writeFileSync(sidecar, JSON.stringify({ dim: 8 }));
    expect((await inspectBackbone(file, {})).dim).toBe(8);
  });
});
