import fs from 'node:fs';
import type { ProjectStore } from '../core/project/project-store';
import type { CommandContext } from './command';
import { callCore } from './call-core';
import { requiredStringOption } from './option-values';
import { noteStorage } from './storage-note';

/** Opens a project file, creating it first when it does not exist yet (a fresh shard or study). */
export async function openOrCreateProject(ctx: CommandContext, file: string): Promise<ProjectStore> {
  const core = ctx.core();
  noteStorage(ctx, await callCore(core, fs.existsSync(file) ? 'project.open' : 'project.create', { path: file }));
  return core.requireProject();
}

/** Opens --project, creating it when missing: a shard file is made by its array task. */
export function openOrCreateShardProject(ctx: CommandContext): Promise<ProjectStore> {
  return openOrCreateProject(ctx, requiredStringOption(ctx, 'project'));
}
