import type { CliCommand } from '../command';
import { callCore } from '../call-core';

export const infoCommand: CliCommand = {
  path: ['info'],
  summary: 'Show the version, ONNX Runtime and its execution providers, and the default project',
  usage: '[--json]',
  positionals: 0,
  async run(ctx) {
    const info = await callCore(ctx.core(), 'app.info', {});
    if (ctx.json) {
      const { version, node, platform, arch, onnxruntime, executionProviders, defaultProject } = info;
      ctx.out(JSON.stringify({ version, node, platform, arch, onnxruntime, executionProviders, defaultProject }));
      return;
    }
    ctx.out(
      [
        `${info.name} ${info.version}`,
        `Node ${info.node} on ${info.platform}-${info.arch}`,
        `ONNX Runtime ${info.onnxruntime}; providers: ${info.executionProviders.join(', ')}`,
        `Default project: ${info.defaultProject}`,
      ].join('\n'),
    );
  },
};
