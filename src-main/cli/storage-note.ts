import type { ProjectSummary } from '../../src-shared/contract';
import type { CommandContext } from './command';

/** One stderr line when a project sits on network storage, so nobody wonders why a second window is refused. */
export function noteStorage(ctx: CommandContext, summary: ProjectSummary): void {
  const s = summary.storage;
  if (!s?.network) return;
  ctx.err(`histo: ${summary.path} is on network storage (${s.fsType ?? 'unknown type'}): rollback journal with an exclusive lock; no other process can open it until this one ends`);
}
