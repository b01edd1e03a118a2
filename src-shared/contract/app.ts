import { z } from '../zod';

export const ExecutionProviderName = z.enum(['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu']);
export type ExecutionProviderName = z.infer<typeof ExecutionProviderName>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  arch: z.string(),
  node: z.string(),
  onnxruntime: z.string(),
  /** Providers ONNX Runtime can use on this machine, in order of preference; always ends with cpu. */
  executionProviders: z.array(ExecutionProviderName),
  /** The project the core has open now, or null. */
  projectPath: z.string().nullable(),
  /** Where a project is created when the user names none. */
  defaultProject: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appMethods = {
  'app.info': { input: z.strictObject({}), output: AppInfo },
} as const;
