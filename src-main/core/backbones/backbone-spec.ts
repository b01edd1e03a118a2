import { z } from 'zod';

const Rgb = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);
const PositiveRgb = z.tuple([z.number().positive().finite(), z.number().positive().finite(), z.number().positive().finite()]);

/**
 * Everything needed to turn tiles into embeddings with one backbone: the tile size it takes, how
 * pixels are normalised ((x/255 - mean) / std per RGB channel), which tensors to feed and read,
 * and the embedding width. Stored with every embedding set so a head always knows its inputs.
 */
export const BackboneSpec = z.object({
  name: z.string().min(1),
  /** Tiles are square, inputSize x inputSize pixels. */
  inputSize: z.number().int().min(8).max(4096),
  mean: Rgb,
  std: PositiveRgb,
  inputName: z.string().min(1),
  outputName: z.string().min(1),
  dim: z.number().int().positive(),
  /** Where the weights came from (a model card URL, a hub id); null when unknown. */
  source: z.string().nullable(),
  license: z.string().nullable(),
});
export type BackboneSpec = z.infer<typeof BackboneSpec>;

/**
 * The sidecar `<model>.json` next to `<model>.onnx`: what the model file cannot say about itself.
 * Every field is optional; unknown fields are refused so a typo (`"meen"`) is not silently ignored.
 */
export const BackboneSidecar = z.strictObject({
  name: z.string().min(1).optional(),
  inputSize: z.number().int().min(8).max(4096).optional(),
  mean: Rgb.optional(),
  std: PositiveRgb.optional(),
  inputName: z.string().min(1).optional(),
  outputName: z.string().min(1).optional(),
  /**
   * The embedding's length. Checked against the model's output whenever the model is inspected; a
   * bundled backbone whose sidecar declares every field is registered without a test run.
   */
  dim: z.number().int().positive().optional(),
  source: z.string().nullable().optional(),
  license: z.string().nullable().optional(),
  description: z.string().optional(),
});
export type BackboneSidecar = z.infer<typeof BackboneSidecar>;

/** ImageNet statistics: what timm and torchvision models expect when nothing else is declared. */
export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/** `x/model.onnx` -> `x/model.json`. */
export function sidecarPath(modelFile: string): string {
  return modelFile.replace(/\.onnx$/i, '') + '.json';
}
