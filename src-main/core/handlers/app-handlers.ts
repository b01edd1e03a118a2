import os from 'node:os';
import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { appName, appVersion } from '../app-version';
import { availableExecutionProviders, onnxRuntimeVersion } from '../runtime/execution-providers';
import { defaultProjectPath } from '../default-paths';

export function appHandlers(core: CoreContext): Pick<Handlers, 'app.info'> {
  return {
    'app.info': () => ({
      name: appName,
      version: appVersion,
      platform: process.platform,
      arch: os.arch(),
      node: process.versions.node,
      onnxruntime: onnxRuntimeVersion(),
      executionProviders: availableExecutionProviders(),
      projectPath: core.currentProject?.path ?? null,
      defaultProject: defaultProjectPath(core.env),
    }),
  };
}
