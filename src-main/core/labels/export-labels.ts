import fs from 'node:fs';
import path from 'node:path';
import type { ProjectStore } from '../project/project-store';
import { recordAudit } from '../project/repos/audit-repo';
import { HistoError } from '../errors';
import { csvField } from '../embeddings/export-embeddings';
import { classColor } from '../../../src-shared/domain/class-colors';
import { LabelsRepo } from '../project/repos/labels-repo';
import type { StoredTask } from '../project/repos/tasks-repo';

/**
 * Writes a task's labels as CSV (`source,x,y,label,source_of_label,author`: importable back) or as
 * a QuPath GeoJSON FeatureCollection of tile squares in level-0 pixels (one slide: --slide, or all).
 */
export function exportLabels(store: ProjectStore, task: StoredTask, out: string, options: { slide?: string } = {}): { file: string; labels: number } {
  const resolved = path.resolve(out);
  if (!fs.existsSync(path.dirname(resolved))) throw new HistoError('NOT_FOUND', `${path.dirname(resolved)}: folder does not exist`);
  let labels = new LabelsRepo(store.db).all(task.id);
  if (options.slide) {
    const wanted = path.resolve(options.slide);
    labels = labels.filter((l) => l.path === wanted || l.path === options.slide);
  }
  const ext = path.extname(resolved).toLowerCase();
  if (ext === '.csv') {
    const lines = ['source,x,y,label,labelled_by,author', ...labels.map((l) => [csvField(l.path), l.x, l.y, csvField(l.className), l.source, csvField(l.author ?? '')].join(','))];
    fs.writeFileSync(resolved, lines.join('\n') + '\n');
  } else if (ext === '.geojson' || ext === '.json') {
    const features = labels.map((l) => {
      const { hex, packed } = classColor(task.classes.indexOf(l.className));
      return {
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [[[l.x, l.y], [l.x + l.width, l.y], [l.x + l.width, l.y + l.height], [l.x, l.y + l.height], [l.x, l.y]]],
        },
        properties: {
          objectType: 'annotation',
          classification: { name: l.className, color: [(packed >> 16) & 255, (packed >> 8) & 255, packed & 255], colorHex: hex },
          slide: l.path,
          labelledBy: l.source,
          ...(l.author ? { author: l.author } : {}),
        },
      };
    });
    fs.writeFileSync(resolved, JSON.stringify({ type: 'FeatureCollection', features }, null, 1));
  } else {
    throw new HistoError('VALIDATION', `${resolved}: export labels to .csv or .geojson`);
  }
  recordAudit(store.db, 'labels.export', { task: task.name, file: resolved, labels: labels.length });
  return { file: resolved, labels: labels.length };
}
