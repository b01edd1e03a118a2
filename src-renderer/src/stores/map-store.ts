import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { HeadListing, JobState, MapColorBy, SearchResult, StudyMap } from '../../../src-shared/contract';
import { call, toCallError, type HistoCallError } from '../api/histo-api';
import { waitForJobOutcome } from '../api/job-outcome';
import { useTileSelection } from '../composables/use-tile-selection';
import { useProjectStore } from './project-store';

export type MapTile = Omit<SearchResult, 'similarity'>;

/** Most tiles the gallery shows of a lasso selection (all of them are labelled). */
export const GALLERY_LIMIT = 200;

/**
 * The study map of a backbone: the stored map with its colours, recomputing it as a job, and a
 * lasso selection shown in a gallery and labelled in one action.
 */
export const useMapStore = defineStore('map', () => {
  const backbone = ref<number | null>(null);
  const colorBy = ref<MapColorBy>({ by: 'slide' });
  const map = ref<StudyMap | null>(null);
  /** Heads whose predictions can colour the map. */
  const heads = ref<HeadListing[]>([]);
  const loading = ref(false);
  const error = ref<HistoCallError | null>(null);
  const job = ref<{ jobId: string; state: JobState; error: string | null } | null>(null);
  const gallery = ref<MapTile[]>([]);
  const hovered = ref<MapTile | null>(null);
  const selection = useTileSelection('map');

  const project = useProjectStore();
  watch(
    () => project.current?.path ?? null,
    () => {
      map.value = null;
      gallery.value = [];
      selection.replace([]);
    },
  );

  async function load(): Promise<void> {
    if (backbone.value === null) return;
    loading.value = true;
    try {
      map.value = await call('map.get', { backbone: backbone.value, colorBy: colorBy.value });
      error.value = null;
    } catch (err) {
      error.value = toCallError(err, 'map.get');
    } finally {
      loading.value = false;
    }
  }

  async function loadHeads(): Promise<void> {
    try {
      heads.value = await call('head.list', {});
    } catch {
      heads.value = []; // colouring by prediction is then simply not offered
    }
  }

  async function compute(sample?: number): Promise<void> {
    if (backbone.value === null || job.value?.state === 'running') return;
    try {
      const { jobId } = await call('map.start', { backbone: backbone.value, ...(sample ? { sample } : {}) });
      job.value = { jobId, state: 'running', error: null };
      const outcome = await waitForJobOutcome(jobId);
      job.value = { jobId, state: outcome.state, error: outcome.error?.message ?? null };
      if (outcome.state === 'done') await load();
    } catch (err) {
      job.value = { jobId: job.value?.jobId ?? '', state: 'failed', error: toCallError(err, 'map.start').message };
    }
  }

  async function cancel(): Promise<void> {
    if (job.value?.state === 'running') await call('job.cancel', { jobId: job.value.jobId });
  }

  async function select(tileIds: number[]): Promise<void> {
    selection.replace(tileIds);
    try {
      gallery.value = await call('search.describe', { tileIds: tileIds.slice(0, GALLERY_LIMIT) });
    } catch (err) {
      error.value = toCallError(err, 'search.describe');
    }
  }

  async function hover(tileId: number | null): Promise<void> {
    if (tileId === null) {
      hovered.value = null;
      return;
    }
    const [tile] = await call('search.describe', { tileIds: [tileId] });
    hovered.value = tile ?? null;
  }

  async function labelSelected(task: string, className: string): Promise<void> {
    if (await selection.label(task, className)) {
      if (colorBy.value.by === 'label') await load();
    }
  }

  return { backbone, colorBy, map, heads, loading, error, job, gallery, hovered, ...selection, load, loadHeads, compute, cancel, select, hover, labelSelected };
});
