import fs from 'node:fs';
import path from 'node:path';
import { appVersion } from '../app-version';
import { loadSharp } from '../slides/sharp-loader';
import { openSlide } from '../slides/open-slide';
import { readOverview } from '../tiling/overview';
import { colourOf, renderHeatmap } from './heatmap';
import type { PredictionRun } from './predict-slides';
import type { SlideSummary } from './slide-summary';
import type { TilePrediction } from './slide-predictions';
import { describeOod, isOutOfDistribution, OOD_FLAG_PERCENTILE } from '../../../src-shared/domain/ood';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);

async function pngDataUri(data: Uint8Array, width: number, height: number, channels: 3 | 4): Promise<string> {
  const png = await loadSharp()(data, { raw: { width, height, channels } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** How much of the slide is unlike the head's training data: a warning a reader cannot miss when it is. */
function oodRow(tiles: TilePrediction[], oodByTile: ReadonlyMap<number, number>): [string, string] {
  const scores = tiles.map((t) => oodByTile.get(t.tileId)).filter((p): p is number => p !== undefined);
  if (scores.length === 0) return ['Unlike the training data', 'not measured (head trained before out-of-distribution scores)'];
  const flagged = scores.filter((p) => isOutOfDistribution(p)).length;
  const median = [...scores].sort((a, b) => a - b)[Math.floor(scores.length / 2)]!;
  const share = `${flagged} of ${scores.length} tiles (${pct(flagged / scores.length)}) out of distribution (percentile ≥ ${OOD_FLAG_PERCENTILE}); median tile ${describeOod(median)}`;
  return ['Unlike the training data', flagged > 0 ? `WARNING: ${share}` : share];
}

/**
 * One self-contained HTML page per slide (images inlined) that prints cleanly to PDF: thumbnail
 * with the heatmap over it, the slide summary, and the provenance a lab needs to trust a number:
 * which backbone (sha256), which head with which cross-validated metrics, which app version, when.
 */
export async function writeSlideReport(
  dir: string,
  head: PredictionRun['head'],
  slide: SlideSummary & { path: string },
  tiles: TilePrediction[],
  positiveIndex: number,
  /** OOD percentile by tile id (empty for heads without a reference). */
  oodByTile: ReadonlyMap<number, number> = new Map(),
): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const source = await openSlide(slide.path);
  let thumbnail: string;
  let heatmap: string;
  let width: number;
  let height: number;
  try {
    const overview = await readOverview(source, 1024);
    ({ width, height } = overview);
    thumbnail = await pngDataUri(overview.data, width, height, 3);
    const map = renderHeatmap(
      tiles.map((t) => ({ x: t.x, y: t.y, width: t.width, height: t.height, score: t.probs[positiveIndex]! })),
      source.info.width,
      source.info.height,
      Math.max(width, height),
      200,
    );
    heatmap = await pngDataUri(map.data, map.width, map.height, 4);
  } finally {
    await source.close();
  }
  const legend = Array.from({ length: 11 }, (_, i) => `rgb(${colourOf(i / 10).join(',')}) ${i * 10}%`).join(', ');
  const rows: Array<[string, string]> = [
    ['Tiles', String(slide.tiles)],
    [`Tiles with p(${head.positive}) ≥ ${head.threshold.toFixed(3)}`, `${slide.positive} (${pct(slide.fraction)})`],
    [`Highest p(${head.positive})`, slide.max.toFixed(3)],
    [`Mean p(${head.positive})`, slide.mean.toFixed(3)],
    ['Mean of the top 10 tiles', slide.meanTopK.toFixed(3)],
    ['Positive tiles per mm²', slide.positivesPerMm2 === null ? 'n/a (resolution unknown)' : slide.positivesPerMm2.toFixed(2)],
    oodRow(tiles, oodByTile),
  ];
  const provenance: Array<[string, string]> = [
    ['Head', `#${head.id}: ${head.kind} for task “${head.task}” (${head.classes.join(', ')})`],
    ['Cross-validated', `F1 macro ${pct(head.metrics.f1Macro)}, balanced accuracy ${pct(head.metrics.balancedAccuracy)}, ROC-AUC ${pct(head.metrics.rocAuc)}`],
    ['Backbone', `${head.backbone}, sha256 ${head.backboneSha256}`],
    ['Software', `Histo Workstation ${appVersion}`],
    ['Generated', new Date().toISOString()],
  ];
  const table = (entries: Array<[string, string]>) => entries.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(path.basename(slide.path))}: ${escapeHtml(head.task)}</title>
<style>
  @page { size: A4; margin: 14mm; }
  body { font: 11pt/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1f2933; margin: 24px; }
  h1 { font-size: 16pt; margin: 0 0 2px; } .sub { color: #52606d; margin: 0 0 16px; word-break: break-all; }
  figure { position: relative; margin: 0 0 8px; width: ${width}px; max-width: 100%; }
  figure img { display: block; width: 100%; height: auto; }
  figure img.overlay { position: absolute; inset: 0; opacity: 0.6; mix-blend-mode: multiply; }
  .legend { height: 10px; width: 260px; background: linear-gradient(to right, ${legend}); border: 1px solid #cbd2d9; }
  .scale { display: flex; justify-content: space-between; width: 260px; font-size: 9pt; color: #52606d; }
  table { border-collapse: collapse; margin: 12px 0; width: 100%; max-width: 720px; page-break-inside: avoid; }
  th { text-align: left; font-weight: 600; width: 40%; } th, td { padding: 4px 8px; border-bottom: 1px solid #e4e7eb; vertical-align: top; word-break: break-word; }
  h2 { font-size: 12pt; margin: 18px 0 4px; } .note { color: #52606d; font-size: 9pt; }
</style></head><body>
<h1>${escapeHtml(path.basename(slide.path))}</h1>
<p class="sub">${escapeHtml(slide.path)}</p>
<figure><img src="${thumbnail}" alt="Slide overview"><img class="overlay" src="${heatmap}" alt="Heatmap of p(${escapeHtml(head.positive)})"></figure>
<div class="legend"></div><div class="scale"><span>p(${escapeHtml(head.positive)}) = 0</span><span>0.5</span><span>1</span></div>
<h2>Summary</h2><table>${table(rows)}</table>
<h2>Provenance</h2><table>${table(provenance)}</table>
<p class="note">Research use. Predictions are tile-level probabilities from a classifier trained on this laboratory's labels; review them before use.</p>
</body></html>`;
  const file = path.join(dir, `${path.basename(slide.path).replace(/[^\w.-]+/g, '_')}.report.html`);
  fs.writeFileSync(file, html);
  return file;
}
