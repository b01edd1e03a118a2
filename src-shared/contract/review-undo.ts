import { z } from '../zod';

/**
 * Review undo: a decision is taken back, and the tile's label returns to what it was before it
 * (another label, or none). Only the tile's latest decision can be undone; the renderer keeps
 * the order of the decisions made in this session.
 */
export const reviewUndoMethods = {
  'review.undo': {
    input: z.strictObject({ head: z.number().int().positive(), tileId: z.number().int().positive() }),
    output: z.object({ tileId: z.number().int(), decision: z.enum(['accept', 'reject', 'relabel']).nullable(), label: z.string().nullable() }),
  },
} as const;
