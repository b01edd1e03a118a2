/**
 * IPC channel names; all carry the `histo:` prefix and the shell refuses every other. Kept apart
 * from the schemas so the sandboxed preload can import it without bundling zod.
 */
export const ipcChannels = { call: 'histo:call', event: 'histo:event' } as const;
