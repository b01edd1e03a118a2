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
import type { PredictedTiling, SlideReviewRecord } from '../project/repos/slide-review-report-repo';
import { classColor } from '../../../src-shared/domain/class-colors';
import { argmaxOf, focusScore, focusScoreName, type ClassFocus } from '../../../src-shared/domain/class-focus';
import { formatLength, localTimeWithZone, scaleBar } from './report-format';
import { describeOod, isOutOfDistribution, OOD_FLAG_PERCENTILE } from '../../../src-shared/domain/ood';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);

async function pngDataUri(data: Uint8Array, width: number, height: number, channels: 3 | 4): Promise<string> {
  const png = await loadSharp()(data, { raw: { width, height, channels } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Everything one slide's report shows. */
export interface SlideReport {
  head: Omit<PredictionRun['head'], 'positive'>;
  /** The class of interest (null: all classes, by confidence) and the threshold that calls a tile. */
  focus: ClassFocus;
  threshold: number;
  /** The task counts objects: densities per mm² are shown. */
  detection: boolean;
  slide: SlideSummary & { path: string; perClass: Record<string, number> };
  tiles: TilePrediction[];
  tilings: PredictedTiling[];
  /** Out-of-distribution percentile by tile id (empty for heads without a reference). */
  oodByTile?: ReadonlyMap<number, number>;
  review: SlideReviewRecord;
  /** The slide's µm/px as the project holds it (an override included); the file's own when left out. */
  mppX?: number | null;
  /** When the report is made, and the zone to write it in (default: this computer's). */
  generatedAt?: Date;
  timeZone?: string;
}

/** "224 px at 0.5 µm/px (112 µm)", or at a pyramid level where the tiling has no target resolution. */
function describeTiling(t: PredictedTiling): string {
  if (t.mpp !== null) return `${t.tileSize} × ${t.tileSize} px at ${t.mpp} µm/px (${formatLength(t.tileSize * t.mpp)} on a side), ${t.tiles} tiles`;
  return `${t.tileSize} × ${t.tileSize} px at pyramid level ${t.level ?? 0} (resolution not recorded), ${t.tiles} tiles`;
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
 * with the heatmap of the class of interest over it and a scale bar, the slide summary for that
 * class and for every class, the tiling, the review (decisions and reviewers), and the
 * provenance a lab needs to trust a number: which backbone (sha256), which head with which
 * cross-validated metrics, which app version, when (local time with its zone).
 */
export async function writeSlideReport(dir: string, report: SlideReport): Promise<string> {
  const { head, slide, tiles, focus, threshold, review } = report;
  fs.mkdirSync(dir, { recursive: true });
  const source = await openSlide(slide.path);
  let thumbnail: string;
  let heatmap: string;
  let width: number;
  let height: number;
  let slideWidthUm: number | null;
  try {
    const overview = await readOverview(source, 1024);
    ({ width, height } = overview);
    thumbnail = await pngDataUri(overview.data, width, height, 3);
    const map = renderHeatmap(
      tiles.map((t) => ({ x: t.x, y: t.y, width: t.width, height: t.height, score: focusScore(t.probs, focus) })),
      source.info.width,
      source.info.height,
      Math.max(width, height),
      200,
    );
    heatmap = await pngDataUri(map.data, map.width, map.height, 4);
    const mppX = report.mppX ?? source.info.mppX;
    slideWidthUm = mppX ? source.info.width * mppX : null;
  } finally {
    await source.close();
  }
  const scoreName = focusScoreName(head.classes, focus);
  const calledName = focus === null ? 'confident' : head.classes[focus]!;
  const bar = slideWidthUm === null ? null : scaleBar(slideWidthUm);
  const legend = Array.from({ length: 11 }, (_, i) => `rgb(${colourOf(i / 10).join(',')}) ${i * 10}%`).join(', ');
  const rows: Array<[string, string]> = [
    ['Class of interest', focus === null ? 'All classes: each tile counts for its most likely class, called when that probability reaches the threshold' : head.classes[focus]!],
    ['Tiles', String(slide.tiles)],
    [`Tiles with ${scoreName} ≥ ${threshold.toFixed(3)}`, `${slide.positive} ${calledName} (${pct(slide.fraction)})`],
    [`Highest ${scoreName}`, slide.max.toFixed(3)],
    [`Mean ${scoreName}`, slide.mean.toFixed(3)],
    ['Mean of the top 10 tiles', slide.meanTopK.toFixed(3)],
    oodRow(tiles, report.oodByTile ?? new Map()),
  ];
  if (report.detection) rows.push([`Tiles called ${calledName} per mm²`, slide.positivesPerMm2 === null ? 'n/a (resolution unknown)' : slide.positivesPerMm2.toFixed(2)]);
  // Every class: how many tiles it is the most likely class of, and its mean probability.
  const meanOf = (c: number) => (tiles.length ? tiles.reduce((sum, t) => sum + t.probs[c]!, 0) / tiles.length : 0);
  const topOf = new Array<number>(head.classes.length).fill(0);
  for (const t of tiles) topOf[argmaxOf(t.probs)]!++;
  const classRows = head.classes
    .map((name, c) => {
      const swatch = `<span class="swatch" style="background:${classColor(c).hex}"></span>`;
      return `<tr><th>${swatch}${escapeHtml(name)}</th><td>${topOf[c]} (${pct(tiles.length ? topOf[c]! / tiles.length : 0)})</td><td>${meanOf(c).toFixed(3)}</td></tr>`;
    })
    .join('');
  const decided = review.accepted + review.rejected + review.relabelled;
  const reviewRows: Array<[string, string]> = [
    ['Tiles reviewed', `${decided} of ${slide.tiles} (${pct(slide.tiles ? decided / slide.tiles : 0)})`],
    ['Accepted', String(review.accepted)],
    ['Rejected', String(review.rejected)],
    ['Relabelled', String(review.relabelled)],
    ['Reviewers', review.reviewers.length ? review.reviewers.join(', ') : decided ? 'not recorded' : 'none yet'],
  ];
  if (review.lastDecisionAt) reviewRows.push(['Last decision', localTimeWithZone(new Date(review.lastDecisionAt), report.timeZone)]);
  const tilingRows: Array<[string, string]> = report.tilings.map((t, i) => [report.tilings.length > 1 ? `Tiling ${i + 1}` : 'Tiling', describeTiling(t)]);
  const provenance: Array<[string, string]> = [
    ['Head', `#${head.id}: ${head.kind} for task “${head.task}” (${head.classes.join(', ')})`],
    ['Cross-validated', `F1 macro ${pct(head.metrics.f1Macro)}, balanced accuracy ${pct(head.metrics.balancedAccuracy)}, ROC-AUC ${pct(head.metrics.rocAuc)}`],
    ['Backbone', `${head.backbone}, sha256 ${head.backboneSha256}`],
    ['Software', `Histo Workstation ${appVersion}`],
    ['Generated', localTimeWithZone(report.generatedAt ?? new Date(), report.timeZone)],
  ];
  const table = (entries: Array<[string, string]>) => entries.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const scale = bar
    ? `<div class="scalebar" data-micrometres="${bar.micrometres}"><span style="width:${(bar.fraction * 100).toFixed(2)}%"></span>${escapeHtml(formatLength(bar.micrometres))}</div>`
    : '<p class="note">No scale bar: the slide\'s resolution (µm/px) is not recorded.</p>';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(path.basename(slide.path))}: ${escapeHtml(head.task)}</title>
<style>
  @page { size: A4; margin: 14mm; }
  body { font: 11pt/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1f2933; margin: 24px; }
  h1 { font-size: 16pt; margin: 0 0 2px; } .sub { color: #52606d; margin: 0 0 16px; word-break: break-all; }
  figure { position: relative; margin: 0 0 4px; width: ${width}px; max-width: 100%; }
  figure img { display: block; width: 100%; height: auto; }
  figure img.overlay { position: absolute; inset: 0; opacity: 0.6; mix-blend-mode: multiply; }
  .scalebar { width: ${width}px; max-width: 100%; font-size: 9pt; color: #1f2933; margin: 0 0 10px; }
  .scalebar span { display: block; height: 5px; background: #1f2933; margin-bottom: 2px; }
  .legend { height: 10px; width: 260px; background: linear-gradient(to right, ${legend}); border: 1px solid #cbd2d9; }
  .scale { display: flex; justify-content: space-between; width: 260px; font-size: 9pt; color: #52606d; }
  .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border: 1px solid #52606d; vertical-align: baseline; }
  table { border-collapse: collapse; margin: 12px 0; width: 100%; max-width: 720px; page-break-inside: avoid; }
  th { text-align: left; font-weight: 600; width: 40%; } th, td { padding: 4px 8px; border-bottom: 1px solid #e4e7eb; vertical-align: top; word-break: break-word; }
  thead th { font-weight: 600; color: #52606d; font-size: 9pt; }
  h2 { font-size: 12pt; margin: 18px 0 4px; } .note { color: #52606d; font-size: 9pt; }
</style></head><body>
<h1>${escapeHtml(path.basename(slide.path))}</h1>
<p class="sub">${escapeHtml(slide.path)}</p>
<figure><img src="${thumbnail}" alt="Slide overview"><img class="overlay" src="${heatmap}" alt="Heatmap of ${escapeHtml(scoreName)}"></figure>
${scale}
<div class="legend"></div><div class="scale"><span>${escapeHtml(scoreName)} = 0</span><span>0.5</span><span>1</span></div>
<h2>Summary</h2><table>${table(rows)}</table>
<h2>All classes</h2><table><thead><tr><th>Class</th><th>Tiles where it is the most likely class</th><th>Mean probability</th></tr></thead><tbody>${classRows}</tbody></table>
<h2>Tiling</h2><table>${table(tilingRows)}</table>
<h2>Review</h2><table>${table(reviewRows)}</table>
<h2>Provenance</h2><table>${table(provenance)}</table>
<p class="note">Research use. Predictions are tile-level probabilities from a classifier trained on this laboratory's labels; review them before use.</p>
</body></html>`;
  const file = path.join(dir, `${path.basename(slide.path).replace(/[^\w.-]+/g, '_')}.report.html`);
  fs.writeFileSync(file, html);
  return file;
}
