import fs from 'node:fs';
import path from 'node:path';
import type { DemoSummary, MethodInput, MethodName, MethodOutput } from '../../../src-shared/contract';
import type { Dispatch } from '../dispatch';
import { HistoError } from '../errors';
import type { JobContext, JobRegistry } from '../jobs/job-registry';
import { resourcesDir } from '../app-root';
import { DEFAULT_PROJECT_BACKBONE } from '../backbones/default-backbone';

export const DEMO_PROJECT_NAME = 'demo-study.histo';
export const DEMO_SLIDE_NAME = 'CMU-1-Small-Region.svs';
export const DEMO_ANNOTATIONS_NAME = 'demo-annotations.geojson';
export const DEMO_TASK = 'demo-skin-layers';
/** Written when the build completed; a demo folder without it holds an interrupted build. */
export const DEMO_COMPLETE_MARKER = 'demo-complete.json';
export const DEMO_CLASSES = ['dermis', 'epidermis'];
/** The bundled deep backbone (MobileNetV2, ImageNet): the demo shows learned features, not the classical baseline. */
const DEMO_BACKBONE = DEFAULT_PROJECT_BACKBONE;
/**
 * The tiling of the demo: 128 px at 0.5 µm/px (about 20x), resized to the backbone's input. Smaller
 * than the backbone's 224 px so the demonstration polygons cover enough tiles to train on (about 50
 * labels over 160 tiles; the head reaches F1 ≈ 0.85) and the heatmap shows the skin layers.
 */
const DEMO_TILING = { tileSize: 128, mpp: 0.5, minTissue: 0.25 };

/** The demo's files as shipped in resources/demo (packed and unpacked by electron-builder.yml). */
export function demoResources(): { slide: string; annotations: string; readme: string } {
  const dir = path.join(resourcesDir(), 'demo');
  return { slide: path.join(dir, DEMO_SLIDE_NAME), annotations: path.join(dir, DEMO_ANNOTATIONS_NAME), readme: path.join(dir, 'README.md') };
}

/** What the demo needs of the core: the same dispatcher as every front end, and its jobs. */
export interface DemoCore {
  dispatch: Dispatch;
  jobs: JobRegistry;
}

async function callCore<M extends MethodName>(core: DemoCore, method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const envelope = await core.dispatch(method, input);
  if (!envelope.ok) throw new HistoError(envelope.error.code, `demo study: ${envelope.error.message}`);
  return envelope.result as MethodOutput<M>;
}

/** Waits for a job the demo started; cancelling the demo cancels it too. */
async function finished(core: DemoCore, jobId: string, ctx: JobContext): Promise<unknown> {
  const onAbort = () => core.jobs.cancel(jobId);
  ctx.signal.addEventListener('abort', onAbort);
  try {
    return await core.jobs.resultOf(jobId);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

const STEPS = ['Copying the demo slide', 'Embedding its tiles', 'Labelling from the demonstration annotations', 'Training a head', 'Predicting the slide', 'Drawing the study map', 'Opening the demo study'];

/**
 * Builds the demo study in `outDir`, offline, through the contract: the bundled public-domain
 * Aperio region, its embeddings from the bundled deep backbone, a task labelled from the shipped
 * demonstration GeoJSON, a logistic-regression head, its predictions and the study map. A marker
 * file written last says the build completed: a complete demo is opened as it is, an interrupted
 * one is removed and built again (never opened half-made).
 */
export async function openDemoStudy(core: DemoCore, outDir: string, ctx: JobContext): Promise<DemoSummary> {
  const started = performance.now();
  const dir = path.resolve(outDir);
  const project = path.join(dir, DEMO_PROJECT_NAME);
  const slide = path.join(dir, DEMO_SLIDE_NAME);
  const step = (index: number) => {
    ctx.throwIfCancelled();
    ctx.progress(index, STEPS.length, STEPS[index]);
  };

  const marker = path.join(dir, DEMO_COMPLETE_MARKER);
  if (fs.existsSync(project) && fs.existsSync(marker)) {
    step(STEPS.length - 1);
    await callCore(core, 'project.open', { path: project });
    return summarise(core, project, slide, true, started);
  }

  const shipped = demoResources();
  step(0);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(shipped.slide, slide);
  fs.copyFileSync(shipped.annotations, path.join(dir, DEMO_ANNOTATIONS_NAME));
  fs.copyFileSync(shipped.readme, path.join(dir, 'README-demo.md'));
  const removeProject = () => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(project + suffix, { force: true });
  };
  removeProject();
  try {
    await callCore(core, 'project.create', { path: project });
    step(1);
    const embed = await callCore(core, 'embed.start', { paths: [slide], backbone: DEMO_BACKBONE, ...DEMO_TILING });
    await finished(core, embed.jobId, ctx);
    step(2);
    await callCore(core, 'task.create', { name: DEMO_TASK, classes: DEMO_CLASSES });
    await callCore(core, 'label.import', { task: DEMO_TASK, path: path.join(dir, DEMO_ANNOTATIONS_NAME), slide, author: 'demo (not diagnostic)' });
    step(3);
    // One slide: folds are drawn over tiles, not slides.
    const train = await callCore(core, 'train.start', { task: DEMO_TASK, backbone: DEMO_BACKBONE, kind: 'logreg', folds: 3, group: 'none', positive: 'epidermis' });
    const trained = (await finished(core, train.jobId, ctx)) as { headId: number };
    step(4);
    const predict = await callCore(core, 'predict.start', { head: trained.headId, paths: [slide] });
    await finished(core, predict.jobId, ctx);
    step(5);
    const map = await callCore(core, 'map.start', { backbone: DEMO_BACKBONE });
    await finished(core, map.jobId, ctx);
    step(6);
    fs.writeFileSync(marker, `${JSON.stringify({ builtAt: new Date().toISOString(), note: 'demonstration only, not diagnostic' })}\n`);
  } catch (err) {
    await core.dispatch('project.close', {});
    removeProject();
    throw err;
  }
  return summarise(core, project, slide, false, started);
}

async function summarise(core: DemoCore, project: string, slide: string, reused: boolean, started: number): Promise<DemoSummary> {
  const tasks = await callCore(core, 'task.list', {});
  const task = tasks.find((t) => t.name === DEMO_TASK);
  const heads = (await callCore(core, 'head.list', {})).filter((h) => h.task === DEMO_TASK);
  const head = heads[heads.length - 1];
  if (!task || !head) throw new HistoError('BAD_INPUT', `${project}: not a complete demo study (no ${DEMO_TASK} task or head); delete it to build it again`);
  const backbone = (await callCore(core, 'backbone.list', {})).find((b) => b.name === DEMO_BACKBONE);
  return {
    project,
    slide,
    task: task.name,
    classes: task.classes,
    labels: Object.values(task.labels.perClass).reduce((a, b) => a + b, 0),
    tiles: backbone?.embeddings ?? 0,
    headId: head.id,
    reused,
    seconds: (performance.now() - started) / 1000,
  };
}
