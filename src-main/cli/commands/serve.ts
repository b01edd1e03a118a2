import fs from 'node:fs';
import type { CliCommand } from '../command';
import { callCore } from '../call-core';
import { startServer } from '../../server/histo-server';
import { UsageError } from '../cli-errors';
import { workerCoreHost } from '../../core/host/worker-core-host';
import { SupervisedCore } from '../../core/host/supervised-core';

export const serveCommand: CliCommand = {
  path: ['serve'],
  summary: 'Serve the workstation UI and API on 127.0.0.1 for a browser (token-protected)',
  usage: '[--port P] [--project FILE] [--json]',
  positionals: 0,
  options: { port: { type: 'string' }, project: { type: 'string' } },
  async run(ctx) {
    const portText = ctx.options.port as string | undefined;
    const port = portText === undefined ? 0 : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a port number: ${portText}`);

    // The core runs on its own thread: this one only answers HTTP and routes calls, so a long job
    // or a large first load never holds up a request. If that thread dies, it is started again.
    const core = await SupervisedCore.start(() => workerCoreHost(), {
      onRestart: (reason) => ctx.err(`The core stopped (${reason}); restarting it.`),
    });
    let server;
    try {
      const project = ctx.options.project as string | undefined;
      if (project !== undefined) {
        const method = fs.existsSync(project) ? 'project.open' : 'project.create';
        const summary = await callCore(core, method, { path: project });
        ctx.err(`${method === 'project.open' ? 'Opened' : 'Created'} project ${summary.path}`);
      }
      server = await startServer({ core, port });
    } catch (err) {
      await core.close();
      throw err;
    }
    if (ctx.json) ctx.out(JSON.stringify({ url: server.url, port: server.port, token: server.token }));
    ctx.err(`Histo Workstation is serving on ${server.url}\nOpen that URL in a browser on this machine; Ctrl+C stops the server.`);

    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await core.close();
  },
};
