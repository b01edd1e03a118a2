import fs from 'node:fs';
import path from 'node:path';
import { appRoot, resourcesDir } from '../src-main/core/app-root';

/** The real MobileNetV2 1.0 ONNX file: bundled with the app, else the copy beside the checkout (../shared/models). */
export function mobileNetFile(): string | null {
  const candidates = [
    path.join(resourcesDir(), 'backbones', 'imagenet-mobilenet-v2.onnx'),
    path.join(appRoot(), '..', 'shared', 'models', 'imagenet_mobilenet_v2_1.0_224_emb1280.onnx'),
  ];
  return candidates.find((file) => fs.existsSync(file)) ?? null;
}
