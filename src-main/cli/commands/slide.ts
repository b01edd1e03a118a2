import type { CliCommand } from '../command';
import { callCore } from '../call-core';
import { numberOption, requiredNumberOption, requiredStringOption } from '../option-values';
import { UsageError } from '../cli-errors';

const mppOverride = { 'mpp-override': { type: 'string' } } as const;

export const slideInfoCommand: CliCommand = {
  path: ['slide', 'info'],
  summary: 'Show a slide\'s format, size, pyramid levels, resolution (mpp) and associated images',
  usage: 'FILE [--mpp-override M] [--json]',
  positionals: 1,
  options: mppOverride,
  async run(ctx) {
    const info = await callCore(ctx.core(), 'slide.info', {
      path: ctx.positionals[0]!,
      mppOverride: numberOption(ctx, 'mpp-override', { min: 1e-6 }),
    });
    if (ctx.json) return ctx.out(JSON.stringify(info));
    const mpp = info.mppX === null ? 'unknown (use --mpp-override)' : `${info.mppX} x ${info.mppY} µm/px`;
    ctx.out(
      [
        `${info.path}`,
        `  format ${info.format}${info.vendor ? ` (${info.vendor})` : ''}, ${info.width} x ${info.height} px, mpp ${mpp}` +
          (info.magnification ? `, ${info.magnification}x` : ''),
        ...info.levels.map((l, i) => `  level ${i}: ${l.width} x ${l.height} (downsample ${+l.downsample.toFixed(3)}, tiles ${l.tileWidth} x ${l.tileHeight})`),
        `  associated images: ${info.associated.join(', ') || 'none'}`,
      ].join('\n'),
    );
  },
};

export const slideRegionCommand: CliCommand = {
  path: ['slide', 'region'],
  summary: 'Write a region of a slide to an image file (x, y in level-0 pixels; width, height at the level)',
  usage: 'FILE --x X --y Y --width W --height H [--level L] --out FILE.png',
  positionals: 1,
  options: {
    x: { type: 'string' },
    y: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    level: { type: 'string' },
    out: { type: 'string' },
  },
  async run(ctx) {
    const written = await callCore(ctx.core(), 'slide.region', {
      path: ctx.positionals[0]!,
      x: requiredNumberOption(ctx, 'x', { integer: true }),
      y: requiredNumberOption(ctx, 'y', { integer: true }),
      width: requiredNumberOption(ctx, 'width', { integer: true }),
      height: requiredNumberOption(ctx, 'height', { integer: true }),
      level: numberOption(ctx, 'level', { integer: true }),
      out: requiredStringOption(ctx, 'out'),
    });
    const { out, x, y, width, height, level } = written;
    if (ctx.json) ctx.out(JSON.stringify({ out, x, y, width, height, level }));
    else ctx.err(`Wrote ${width} x ${height} px of level ${level} to ${out}`);
  },
};

export const slideThumbnailCommand: CliCommand = {
  path: ['slide', 'thumbnail'],
  summary: 'Write an overview image of the whole slide, longest side at most --max pixels',
  usage: 'FILE [--max 1024] --out FILE.png',
  positionals: 1,
  options: { max: { type: 'string' }, out: { type: 'string' } },
  async run(ctx) {
    const { out, ...size } = await callCore(ctx.core(), 'slide.thumbnail', {
      path: ctx.positionals[0]!,
      max: numberOption(ctx, 'max', { integer: true }),
      out: requiredStringOption(ctx, 'out'),
    });
    if (ctx.json) ctx.out(JSON.stringify({ out, ...size }));
    else ctx.err(`Wrote a ${size.width} x ${size.height} px thumbnail to ${out}`);
  },
};

export const tilesCommand: CliCommand = {
  path: ['tiles'],
  summary: 'Plan the tissue tile grid of a slide at a target mpp or level (coordinates in level-0 pixels)',
  usage: 'FILE --size 224 (--mpp 0.5 | --level L) [--overlap 0] [--min-tissue 0.5] [--mpp-override M] [--json]',
  positionals: 1,
  options: {
    size: { type: 'string' },
    mpp: { type: 'string' },
    level: { type: 'string' },
    overlap: { type: 'string' },
    'min-tissue': { type: 'string' },
    ...mppOverride,
  },
  async run(ctx) {
    const mpp = numberOption(ctx, 'mpp', { min: 1e-6 });
    const level = numberOption(ctx, 'level', { integer: true, min: 0 });
    if ((mpp === undefined) === (level === undefined)) throw new UsageError('tiles: give exactly one of --mpp or --level');
    const grid = await callCore(ctx.core(), 'slide.tiles', {
      path: ctx.positionals[0]!,
      tileSize: requiredNumberOption(ctx, 'size', { integer: true, min: 8, max: 8192 }),
      mpp,
      level,
      overlap: numberOption(ctx, 'overlap', { integer: true, min: 0 }) ?? 0,
      minTissue: numberOption(ctx, 'min-tissue', { min: 0, max: 1 }) ?? 0,
      mppOverride: numberOption(ctx, 'mpp-override', { min: 1e-6 }),
    });
    if (ctx.json) return ctx.out(JSON.stringify(grid));
    const resolution = grid.mpp === null ? `level ${grid.level}` : `${+grid.mpp.toFixed(4)} µm/px`;
    ctx.out(`${grid.count} tiles of ${grid.tileSize} px at ${resolution} (read from level ${grid.level}, downsample ${+grid.downsample.toFixed(3)})`);
  },
};
