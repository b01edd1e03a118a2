import { z } from '../zod';
import { BackboneRef } from './backbones';
import { FilePath } from './project';

const Id = z.number().int().positive();
const Coordinate = z.number().int().min(0).max(10_000_000);

/** What to search for: a stored tile, a drawn region (mean of its tiles), a point of a slide, or an image file. */
export const SearchQuery = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('tile'), tileId: Id }),
  z.strictObject({ kind: z.literal('region'), slideId: Id, x: Coordinate, y: Coordinate, width: z.number().int().min(1).max(10_000_000), height: z.number().int().min(1).max(10_000_000) }),
  z.strictObject({ kind: z.literal('point'), slide: z.union([Id, FilePath]), x: Coordinate, y: Coordinate }),
  z.strictObject({ kind: z.literal('image'), path: FilePath }),
]);
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchFilters = z.strictObject({
  slideIds: z.array(Id).min(1).max(100_000).optional(),
  /** Only tiles with (or without) a label in this task. */
  labelState: z.strictObject({ task: z.union([Id, z.string().min(1).max(64)]), state: z.enum(['labelled', 'unlabelled']) }).optional(),
  /** Only tiles this head predicts as this class. */
  predicted: z.strictObject({ head: Id, className: z.string().min(1).max(64) }).optional(),
});
export type SearchFilters = z.infer<typeof SearchFilters>;

export const SearchRequest = z.strictObject({
  backbone: BackboneRef,
  query: SearchQuery,
  k: z.number().int().min(1, 'k must be at least 1').max(10_000, 'k must be at most 10000'),
  filters: SearchFilters.default({}),
  /** Labels are reported from this task (default: the tile's most recent label in any task). */
  task: z.union([Id, z.string().min(1).max(64)]).optional(),
});
export type SearchRequest = z.input<typeof SearchRequest>;

export const SearchResult = z.object({
  tileId: z.number().int(),
  slideId: z.number().int(),
  source: z.string(),
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  similarity: z.number(),
  label: z.string().optional(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SearchResponse = z.object({
  backbone: z.string(),
  /** Tiles the query vector came from (empty for an image file). */
  queryTileIds: z.array(z.number().int()),
  searched: z.number().int(),
  milliseconds: z.number(),
  results: z.array(SearchResult),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

/** Labels given to a selection of tiles from search results or a map lasso. */
export const LabelSelectionRequest = z.strictObject({
  task: z.union([Id, z.string().min(1).max(64)]),
  className: z.string().min(1).max(64),
  tileIds: z.array(Id).min(1).max(1_000_000),
  source: z.enum(['search', 'map']),
  author: z.string().max(200).optional(),
});

export const searchMethods = {
  /** Exact top-k by cosine similarity over one backbone's stored vectors (view 0). */
  'search.run': { input: SearchRequest, output: SearchResponse },
  /** Slide and position of tiles (a map lasso's selection) for the gallery. */
  'search.describe': {
    input: z.strictObject({ tileIds: z.array(Id).max(5000), task: z.union([Id, z.string().min(1).max(64)]).optional() }),
    output: z.array(SearchResult.omit({ similarity: true })),
  },
  'search.label': { input: LabelSelectionRequest, output: z.object({ labelled: z.number().int(), task: z.string(), className: z.string() }) },
} as const;
