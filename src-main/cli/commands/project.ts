import type { ProjectSummary } from '../../../src-shared/contract';
import type { CliCommand, CommandContext } from '../command';
import { callCore } from '../call-core';
import { noteStorage } from '../storage-note';

function printSummary(ctx: CommandContext, summary: ProjectSummary, verb: string): void {
  noteStorage(ctx, summary);
  if (ctx.json) return ctx.out(JSON.stringify(summary));
  const c = summary.counts;
  ctx.out(`${verb} ${summary.path} (schema ${summary.schemaVersion}; ${c.slides} slides, ${c.backbones} backbones, ${c.tasks} tasks, ${c.heads} heads)`);
}

export const projectCreateCommand: CliCommand = {
  path: ['project', 'create'],
  summary: 'Create a new, empty project file',
  usage: 'FILE [--json]',
  positionals: 1,
  async run(ctx) {
    const core = ctx.core();
    printSummary(ctx, await callCore(core, 'project.create', { path: ctx.positionals[0]! }), 'Created');
  },
};

export const projectInfoCommand: CliCommand = {
  path: ['project', 'info'],
  summary: 'Open a project (migrating it forward if needed) and show what it holds',
  usage: 'FILE [--json]',
  positionals: 1,
  async run(ctx) {
    const core = ctx.core();
    printSummary(ctx, await callCore(core, 'project.open', { path: ctx.positionals[0]! }), 'Project');
  },
};
