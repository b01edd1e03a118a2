/** A mistake in how the command was called: exit code 2 and a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const exitCodes = { ok: 0, runtime: 1, usage: 2 } as const;
