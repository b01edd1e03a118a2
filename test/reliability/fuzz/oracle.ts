/**
 * The fuzz oracle: open a slide, read its info, a few regions at each level, a coarse scaled read
 * and every associated image. A case passes when all of it works or it stops with a HistoError
 * (BAD_INPUT or NOT_FOUND) whose message starts with the file path; anything else is a finding.
 */
import { SlideInfo } from '../../../src-shared/domain/slide';
import { HistoError } from '../../../src-main/core/errors';
import { openSlide } from '../../../src-main/core/slides/open-slide';
import type { SlideSource } from '../../../src-main/core/slides/slide-source';

export type Outcome = { ok: true; rejected: boolean; message?: string } | { ok: false; signature: string; message: string };

/** What makes two findings "the same bug": error class and message with file path and numbers blanked. */
export function signatureOf(err: unknown, path: string): string {
  const name = err instanceof Error ? err.constructor.name : typeof err;
  const message = err instanceof Error ? err.message : String(err);
  const frame = err instanceof Error ? (err.stack ?? '').split('\n').find((l) => l.includes('src-main') || l.includes('/core/')) ?? '' : '';
  const where = frame.replace(/.*[/\\]([\w.-]+\.[tc]?[tj]s):(\d+).*/, '$1:$2');
  return `${name}: ${message.split(path).join('<file>').replace(/\d+/g, 'N').slice(0, 160)}${where ? ` @ ${where}` : ''}`;
}

export interface OracleOptions {
  /** Deep: three reads per level (up to 4 levels) and a coarse whole-slide read; light: two small reads. */
  deep?: boolean;
}

async function exercise(slide: SlideSource, deep: boolean): Promise<void> {
  const parsed = SlideInfo.safeParse(slide.info);
  if (!parsed.success) throw new Error(`slide info breaks the contract: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300)}`);
  const levels = slide.info.levels;
  if (!deep) {
    const last = levels.length - 1;
    const level = levels[last]!;
    await slide.readRegion(0, 0, Math.min(levels[0]!.width, 48), Math.min(levels[0]!.height, 48), 0);
    await slide.readRegion(Math.floor((level.width - 20) * level.downsample), Math.floor((level.height - 20) * level.downsample), 40, 40, last);
    for (const name of slide.info.associated) await slide.readAssociated(name);
    return;
  }
  for (let l = 0; l < Math.min(levels.length, 4); l++) {
    const level = levels[l]!;
    const w = Math.min(level.width, 96);
    const h = Math.min(level.height, 96);
    const ds = level.downsample;
    // Top-left, the middle (across tile borders) and the bottom-right corner, partly outside.
    await slide.readRegion(0, 0, w, h, l);
    await slide.readRegion(Math.floor((level.width / 2 - 20) * ds), Math.floor((level.height / 2 - 20) * ds), 40, 40, l);
    await slide.readRegion(Math.floor((level.width - 30) * ds), Math.floor((level.height - 30) * ds), 64, 64, l);
  }
  // What a thumbnail does: a coarse read of the whole slide (when its coarsest level is small
  // enough that building the overview costs milliseconds, not a second).
  const coarsest = levels[levels.length - 1]!;
  if (coarsest.width * coarsest.height > 1 << 20) {
    for (const name of slide.info.associated) await slide.readAssociated(name);
    return;
  }
  const down = Math.max(1, Math.max(slide.info.width, slide.info.height) / 64);
  await slide.readRegionScaled(0, 0, Math.max(1, Math.round(slide.info.width / down)), Math.max(1, Math.round(slide.info.height / down)), down);
  for (const name of slide.info.associated) await slide.readAssociated(name);
}

/** Runs the oracle on one file. Never throws: the verdict is in the outcome. */
export async function checkSlideFile(path: string, options: OracleOptions = {}): Promise<Outcome> {
  let slide: SlideSource | undefined;
  try {
    slide = await openSlide(path);
    await exercise(slide, options.deep ?? true);
    return { ok: true, rejected: false };
  } catch (err) {
    if (err instanceof HistoError && (err.code === 'BAD_INPUT' || err.code === 'NOT_FOUND') && err.message.startsWith(`${path}: `)) {
      return { ok: true, rejected: true, message: err.message };
    }
    const message = err instanceof Error ? `${err.constructor.name}${err instanceof HistoError ? `(${err.code})` : ''}: ${err.message}\n${(err.stack ?? '').split('\n').slice(1, 6).join('\n')}` : String(err);
    return { ok: false, signature: signatureOf(err, path), message };
  } finally {
    if (slide) {
      try {
        await slide.close();
      } catch {
        // A close failure after a finding must not hide it.
      }
    }
  }
}
