import fs from 'node:fs';
import path from 'node:path';
import { nodeRequire as require } from '../node-require';
import type { ExecutionProviderName } from '../../../src-shared/contract';

interface OrtModule {
  env: { versions: Record<string, string | undefined> };
  listSupportedBackends?: () => Array<{ name: string; bundled: boolean }>;
}

let ort: OrtModule | undefined;
function loadOrt(): OrtModule {
  ort ??= require('onnxruntime-node') as OrtModule;
  return ort;
}

export function onnxRuntimeVersion(): string {
  const versions = loadOrt().env.versions;
  return versions.node ?? versions.common ?? 'unknown';
}

/** Directory of the native binding for this platform, where provider libraries sit beside it. */
function bindingDir(): string {
  const pkgDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * Providers worth trying on this machine, best first, CPU last. A provider counts only when its
 * library is actually present: the CUDA provider ships separately from the npm package, so we look
 * for it instead of trusting the build's list of what it could support.
 */
export function availableExecutionProviders(): ExecutionProviderName[] {
  const found: ExecutionProviderName[] = [];
  let dir: string;
  try {
    dir = bindingDir();
  } catch {
    return ['cpu'];
  }
  const has = (file: string) => fs.existsSync(path.join(dir, file));
  if (process.platform === 'linux' || process.platform === 'win32') {
    const ext = process.platform === 'win32' ? 'dll' : 'so';
    const prefix = process.platform === 'win32' ? '' : 'lib';
    if (has(`${prefix}onnxruntime_providers_tensorrt.${ext}`)) found.push('tensorrt');
    if (has(`${prefix}onnxruntime_providers_cuda.${ext}`)) found.push('cuda');
  }
  if (process.platform === 'win32' && has('DirectML.dll')) found.push('dml');
  if (process.platform === 'darwin') {
    const backends = loadOrt().listSupportedBackends?.() ?? [];
    if (backends.some((b) => b.name === 'coreml' && b.bundled)) found.push('coreml');
  }
  found.push('cpu');
  return found;
}

/**
 * The order 'auto' tries providers in when opening a session. TensorRT is left out: it compiles
 * an engine for every new model and input shape, which takes minutes without an engine cache, so
 * it runs only when asked for by name; CUDA gives most of its speed without that wait.
 */
export function autoExecutionProviders(): ExecutionProviderName[] {
  return availableExecutionProviders().filter((p) => p !== 'tensorrt');
}
