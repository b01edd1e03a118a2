import fs from 'node:fs';
import type { BackboneSummary } from '../../../src-shared/contract';
import type { CliCommand } from '../command';
import { callCore } from '../call-core';
import { UsageError } from '../cli-errors';
import { numberOption } from '../option-values';
import { openProjectOption, projectOptionSpec } from '../project-option';

function rgbOption(text: string | boolean | undefined, name: string): [number, number, number] | undefined {
  if (text === undefined) return undefined;
  const values = String(text).split(',').map((v) => Number(v.trim()));
  if (values.length !== 3 || values.some((v) => !Number.isFinite(v))) throw new UsageError(`--${name}: expected three numbers like 0.485,0.456,0.406, got '${String(text)}'`);
  return values as [number, number, number];
}

export const backboneImportCommand: CliCommand = {
  path: ['backbone', 'import'],
  summary: 'Import an ONNX backbone with its preprocessing (from the model, its .json sidecar or these flags)',
  usage: 'MODEL.onnx --project DB [--name N] [--size 224] [--mean 0.485,0.456,0.406] [--std 0.229,0.224,0.225] [--source S] [--license L] [--json]',
  positionals: 1,
  options: {
    ...projectOptionSpec,
    name: { type: 'string' },
    size: { type: 'string' },
    mean: { type: 'string' },
    std: { type: 'string' },
    source: { type: 'string' },
    license: { type: 'string' },
  },
  async run(ctx) {
    await openProjectOption(ctx);
    const model = ctx.positionals[0]!;
    if (fs.existsSync(model) && fs.statSync(model).isDirectory()) throw new UsageError(`${model}: is a folder; give the .onnx file`);
    const imported = await callCore(ctx.core(), 'backbone.import', {
      path: model,
      name: ctx.options.name as string | undefined,
      inputSize: numberOption(ctx, 'size', { integer: true, min: 8, max: 4096 }),
      mean: rgbOption(ctx.options.mean, 'mean'),
      std: rgbOption(ctx.options.std, 'std'),
      source: ctx.options.source as string | undefined,
      license: ctx.options.license as string | undefined,
    });
    if (ctx.json) {
      const { id, name, dim, inputSize, sha256 } = imported;
      return ctx.out(JSON.stringify({ id, name, dim, inputSize, sha256, mean: imported.mean, std: imported.std }));
    }
    ctx.out(`Imported backbone ${imported.id} '${imported.name}': ${imported.dim}-d embeddings from ${imported.inputSize} px tiles (sha256 ${imported.sha256.slice(0, 12)}…)`);
  },
};

function describeBackbone(b: BackboneSummary): string {
  const tag = b.builtin ? ' [builtin]' : '';
  return `${String(b.id).padStart(3)}  ${b.name}${tag}: ${b.dim}-d, ${b.inputSize} px, mean ${b.mean.join(',')}, std ${b.std.join(',')}, ${b.embeddings} vectors stored`;
}

export const backboneListCommand: CliCommand = {
  path: ['backbone', 'list'],
  summary: 'List the backbones of a project (the bundled ones, MobileNetV2 and the classical baseline histo-classic-v2, are listed as builtin)',
  usage: '--project DB [--json]',
  positionals: 0,
  options: projectOptionSpec,
  async run(ctx) {
    await openProjectOption(ctx);
    const list = await callCore(ctx.core(), 'backbone.list', {});
    if (ctx.json) return ctx.out(JSON.stringify(list));
    ctx.out(list.map(describeBackbone).join('\n') || 'No backbones.');
  },
};

export const backboneBenchCommand: CliCommand = {
  path: ['backbone', 'bench'],
  summary: 'Measure raw inference speed of a backbone on this machine (tiles/s, provider)',
  usage: 'ID|NAME --project DB [--batch 32] [--provider auto|cpu|cuda|...] [--json]',
  positionals: 1,
  options: { ...projectOptionSpec, batch: { type: 'string' }, provider: { type: 'string' } },
  async run(ctx) {
    await openProjectOption(ctx);
    const result = await callCore(ctx.core(), 'backbone.bench', {
      backbone: ctx.positionals[0]!,
      batchSize: numberOption(ctx, 'batch', { integer: true, min: 1, max: 1024 }) ?? 32,
      provider: (ctx.options.provider as 'auto' | undefined) ?? 'auto',
    });
    if (ctx.json) return ctx.out(JSON.stringify(result));
    ctx.out(`${result.tilesPerSecond.toFixed(1)} tiles/s on ${result.provider} (batch ${result.batch})`);
  },
};
