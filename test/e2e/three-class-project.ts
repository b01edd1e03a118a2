import fs from 'node:fs';
import path from 'node:path';
import { writeThreeRegionSlide } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { cli } from './browser-session';

export interface ThreeClassProject {
  project: string;
  slide: string;
}

/**
 * A project built with the CLI: a three-band slide (purple, pink, blue; 48 tiles of 32 px each)
 * embedded by a tiny linear backbone, task 'tissue' (tumour, stroma, fat) with six labels per
 * band, a logistic head trained and run over the slide.
 */
export async function threeClassProject(dir: string): Promise<ThreeClassProject> {
  const project = path.join(dir, 'three.histo');
  cli(['project', 'create', project, '--json']);
  const slide = await writeThreeRegionSlide(path.join(dir, 'three-regions.tif'));
  cli(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir }), '--project', project, '--name', 'lin', '--json']);
  cli(['embed', slide, '--project', project, '--backbone', 'lin', '--size', '32', '--mpp', '0.5', '--min-tissue', '0', '--json']);
  cli(['task', 'create', 'tissue', '--classes', 'tumour,stroma,fat', '--project', project, '--json']);
  const rows = ['source,x,y,label'];
  ['tumour', 'stroma', 'fat'].forEach((name, band) => {
    for (const x of [0, 64, 128]) for (const y of [0, 128]) rows.push(`${slide},${band * 192 + x},${y},${name}`);
  });
  const labels = path.join(dir, 'labels.csv');
  fs.writeFileSync(labels, `${rows.join('\n')}\n`);
  cli(['labels', 'import', labels, '--project', project, '--task', 'tissue', '--json']);
  cli(['train', '--project', project, '--task', 'tissue', '--backbone', 'lin', '--head', 'logreg', '--cv', '2', '--group', 'none', '--json']);
  cli(['predict', slide, '--project', project, '--head', '1', '--json']);
  return { project, slide };
}
