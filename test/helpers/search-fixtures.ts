import path from 'node:path';
import { writeTwoRegionSlide } from './embedding-fixtures';
import { linearEmbedder } from './onnx-models';
import { runHisto } from './run-cli';

function ok(args: string[]): string {
  const result = runHisto(args);
  if (result.code !== 0) throw new Error(`histo ${args.slice(0, 2).join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * A project made with the CLI for search and map: a 512 x 256 two-region slide (dark purple left,
 * pale pink right) embedded in 32-px tiles at 0.5 µm/px by a small linear backbone 'lin' (128
 * tiles), and a task 'tumour' (stroma, tumour) without labels.
 */
export async function embeddedTwoRegionProject(dir: string): Promise<{ project: string; slide: string }> {
  const project = path.join(dir, 'search.histo');
  ok(['project', 'create', project, '--json']);
  const slide = await writeTwoRegionSlide(path.join(dir, 'two-regions.tif'));
  ok(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir }), '--project', project, '--name', 'lin', '--json']);
  ok(['embed', slide, '--project', project, '--backbone', 'lin', '--size', '32', '--mpp', '0.5', '--min-tissue', '0', '--json']);
  ok(['task', 'create', 'tumour', '--classes', 'stroma,tumour', '--project', project, '--json']);
  return { project, slide };
}
