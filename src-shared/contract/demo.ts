import { z } from '../zod';
import { FilePath } from './project';

/** What the demo study holds once built; the job's result. */
export const DemoSummary = z.object({
  project: z.string(),
  slide: z.string(),
  task: z.string(),
  classes: z.array(z.string()),
  labels: z.number().int(),
  tiles: z.number().int(),
  headId: z.number().int(),
  /** True when an existing demo was opened rather than built. */
  reused: z.boolean(),
  seconds: z.number(),
});
export type DemoSummary = z.infer<typeof DemoSummary>;

export const demoMethods = {
  /**
   * Builds the demo study (bundled slide, bundled backbone, shipped demonstration labels, a trained
   * head and its predictions) in `dir` (default: the demo folder of the Histo home) as a job, and
   * opens it; a demo built before is opened as it is.
   */
  'demo.open': { input: z.strictObject({ dir: FilePath.optional() }), output: z.object({ jobId: z.string() }) },
} as const;
