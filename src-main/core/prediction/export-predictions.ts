import fs from 'node:fs';
import path from 'node:path';
import { csvField } from '../embeddings/export-embeddings';
import { classColor } from '../../../src-shared/domain/class-colors';
import { HistoError } from '../errors';
import { writeFileWhole } from '../project/disk-full';
import { argmax, type TilePrediction } from './slide-predictions';
import type { SlideSummary } from './slide-summary';
import { focusScore, type ClassFocus } from '../../../src-shared/domain/class-focus';

/** A class of interest (null: all classes, by confidence) and the threshold at which a tile is called. */
export interface FocusCut {
  focus: ClassFocus;
  threshold: number;
}

const isCalled = (probs: Float32Array, cut: FocusCut) => focusScore(probs, cut.focus) >= cut.threshold;
/** The CSV column saying whether a tile is called: `called_<class>`, or `confident` for all classes. */
const calledColumn = (classes: string[], cut: FocusCut) => (cut.focus === null ? 'confident' : `called_${classes[cut.focus]!}`);

function checkOut(out: string, extensions: string[]): string {
  const resolved = path.resolve(out);
  if (!fs.existsSync(path.dirname(resolved))) throw new HistoError('NOT_FOUND', `${path.dirname(resolved)}: folder does not exist`);
  if (!extensions.includes(path.extname(resolved).toLowerCase())) throw new HistoError('VALIDATION', `${resolved}: expected a ${extensions.join(' or ')} file`);
  return resolved;
}

/**
 * Per-tile CSV: `source,x,y,width,height,predicted,p_<class>...` for every slide, and with a class
 * of interest a last column (1/0) saying whether the tile is called for it at the threshold.
 */
export function writePredictionCsv(out: string, classes: string[], slides: Array<{ path: string; tiles: TilePrediction[] }>, cut: FocusCut | null = null): string {
  const file = checkOut(out, ['.csv']);
  writeFileWhole(file, (put) => {
    put(`source,x,y,width,height,predicted,${classes.map((c) => csvField(`p_${c}`)).join(',')}${cut ? `,${csvField(calledColumn(classes, cut))}` : ''}\n`);
    for (const slide of slides) {
      const source = csvField(slide.path);
      for (const t of slide.tiles) {
        const called = cut ? `,${isCalled(t.probs, cut) ? 1 : 0}` : '';
        put(`${source},${t.x},${t.y},${t.width},${t.height},${csvField(classes[argmax(t.probs)]!)},${Array.from(t.probs, (p) => p.toFixed(6)).join(',')}${called}\n`);
      }
    }
  });
  return file;
}

/**
 * Slide-level CSV: one row per slide with its summary for the class of interest (`all` for all
 * classes, by confidence), the tiles whose top class is each class, and densities per mm² for
 * tasks that count objects.
 */
export function writeSummaryCsv(
  out: string,
  slides: Array<SlideSummary & { path: string; perClass: Record<string, number> }>,
  about: { classes: string[]; focus: string | null; threshold: number; detection: boolean },
): string {
  const file = checkOut(out, ['.csv']);
  const focus = about.focus ?? 'all';
  const header = ['source', 'class_of_interest', 'threshold', 'tiles', 'called', 'fraction', 'max', 'mean', 'mean_top_k', ...about.classes.map((c) => `top_${c}`), ...(about.detection ? ['called_per_mm2'] : [])];
  const lines = [header.map(csvField).join(',')];
  for (const s of slides) {
    const density = about.detection ? [s.positivesPerMm2 === null ? '' : s.positivesPerMm2.toFixed(4)] : [];
    lines.push(
      [csvField(s.path), csvField(focus), about.threshold, s.tiles, s.positive, s.fraction.toFixed(6), s.max.toFixed(6), s.mean.toFixed(6), s.meanTopK.toFixed(6), ...about.classes.map((c) => s.perClass[c] ?? 0), ...density].join(','),
    );
  }
  writeFileWhole(file, (put) => put(lines.join('\n') + '\n'));
  return file;
}

const rect = (x: number, y: number, w: number, h: number) => [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]];

/**
 * QuPath-compatible GeoJSON in level-0 pixels: a detection per tile (its predicted class, with
 * every probability as a measurement), or, merged, one feature per class whose MultiPolygon joins
 * each row's run of touching tiles; QuPath imports either by drag and drop.
 */
export function predictionGeoJson(classes: string[], allSlides: Array<{ path: string; tiles: TilePrediction[] }>, merged: boolean, cut: FocusCut | null = null): Record<string, unknown> {
  const classification = (c: number) => ({ name: classes[c]!, color: classColor(c).rgb });
  const features: Array<Record<string, unknown>> = [];
  // With a class of interest only the tiles called at the threshold are exported.
  const slides = cut ? allSlides.map((s) => ({ path: s.path, tiles: s.tiles.filter((t) => isCalled(t.probs, cut)) })) : allSlides;
  for (const slide of slides) {
    if (!merged) {
      for (const t of slide.tiles) {
        const predicted = cut && cut.focus !== null ? cut.focus : argmax(t.probs);
        features.push({
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [rect(t.x, t.y, t.width, t.height)] },
          properties: {
            objectType: 'detection',
            classification: classification(predicted),
            measurements: Object.fromEntries(classes.map((c, i) => [`p_${c}`, Number(t.probs[i]!.toFixed(6))])),
            slide: slide.path,
          },
        });
      }
      continue;
    }
    for (let c = 0; c < classes.length; c++) {
      const runs: number[][][][] = [];
      let tiles = 0;
      let sum = 0;
      const mine = slide.tiles.filter((t) => (cut && cut.focus !== null ? c === cut.focus : argmax(t.probs) === c));
      for (let i = 0; i < mine.length; ) {
        let j = i;
        while (j + 1 < mine.length && mine[j + 1]!.y === mine[i]!.y && mine[j + 1]!.x <= mine[j]!.x + mine[j]!.width) j++;
        const first = mine[i]!;
        const last = mine[j]!;
        runs.push([rect(first.x, first.y, last.x + last.width - first.x, first.height)]);
        for (let k = i; k <= j; k++) sum += mine[k]!.probs[c]!;
        tiles += j - i + 1;
        i = j + 1;
      }
      if (runs.length === 0) continue;
      features.push({
        type: 'Feature',
        geometry: { type: 'MultiPolygon', coordinates: runs },
        properties: { objectType: 'annotation', classification: classification(c), measurements: { tiles, [`mean_p_${classes[c]}`]: Number((sum / tiles).toFixed(6)) }, slide: slide.path },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}

export function writePredictionGeoJson(out: string, classes: string[], slides: Array<{ path: string; tiles: TilePrediction[] }>, merged: boolean, cut: FocusCut | null = null): string {
  const file = checkOut(out, ['.geojson', '.json']);
  writeFileWhole(file, (put) => put(JSON.stringify(predictionGeoJson(classes, slides, merged, cut))));
  return file;
}
