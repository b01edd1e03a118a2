import type { ProjectStore } from '../core/project/project-store';
import type { CommandContext } from './command';
import { callCore } from './call-core';
import { requiredStringOption } from './option-values';
import { noteStorage } from './storage-note';

/** Opens the project named by --project and returns it. */
export async function openProjectOption(ctx: CommandContext): Promise<ProjectStore> {
  const core = ctx.core();
  noteStorage(ctx, await callCore(core, 'project.open', { path: requiredStringOption(ctx, 'project') }));
  return core.requireProject();
}

export const projectOptionSpec = { project: { type: 'string' } } as const;
