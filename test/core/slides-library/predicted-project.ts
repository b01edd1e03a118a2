import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { writeTwoRegionSlide } from '../../helpers/embedding-fixtures';
import { linearEmbedder } from '../../helpers/onnx-models';
import { runHisto } from '../../helpers/run-cli';

export interface TrainedProject {
  project: string;
  slide: string;
  headId: number;
}

function json<T>(args: string[]): T {
  const result = runHisto(args);
  expect(result.code, `histo ${args.slice(0, 2).join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/**
 * A project built with the CLI as a user would: a 512 x 256 two-region slide (left dark purple,
 * right pale pink) embedded in 32-px tiles by a tiny linear backbone, task 'tumour' (stroma,
 * tumour) with a few labels on each side, and a logistic-regression head trained on them. The
 * head has not predicted anything yet.
 */
export async function trainedProject(dir: string): Promise<TrainedProject> {
  const project = path.join(dir, 'review.histo');
  json(['project', 'create', project, '--json']);
  const slide = await writeTwoRegionSlide(path.join(dir, 'two-regions.tif'));
  json(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir }), '--project', project, '--name', 'lin', '--json']);
  json(['embed', slide, '--project', project, '--backbone', 'lin', '--size', '32', '--mpp', '0.5', '--min-tissue', '0', '--json']);
  json(['task', 'create', 'tumour', '--classes', 'stroma,tumour', '--project', project, '--json']);
  const rows = [
    'source,x,y,label',
    ...[0, 32, 64, 96].map((x) => `${slide},${x},0,tumour`),
    ...[352, 384, 416, 448].map((x) => `${slide},${x},0,stroma`),
    ...[0, 64].map((x) => `${slide},${x},128,tumour`),
    ...[384, 448].map((x) => `${slide},${x},128,stroma`),
  ];
  const labels = path.join(dir, 'labels.csv');
  fs.writeFileSync(labels, `${rows.join('\n')}\n`);
  json(['labels', 'import', labels, '--project', project, '--task', 'tumour', '--json']);
  const trained = json<{ headId: number }>(['train', '--project', project, '--task', 'tumour', '--backbone', 'lin', '--head', 'logreg', '--cv', '2', '--group', 'none', '--json']);
  return { project, slide, headId: trained.headId };
}
