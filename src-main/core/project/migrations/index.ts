import { initialSchema } from './001-initial';
import { searchAndMapSchema } from './002-search-and-map';
import { packOldVectors, packedVectorsSchema } from './003-packed-vectors';
import type Database from 'better-sqlite3';
import { patchSetsSchema } from './004-patch-sets';
import { annotationsSchema } from './005-annotations';
import { reviewFocusSchema } from './006-review-focus';
import { predictionsWithoutRowidSchema } from './007-predictions-without-rowid';
import { blockTileRangesSchema, fillBlockTileRanges } from './008-block-tile-ranges';

export interface Migration {
  /** The user_version the schema has after this migration. */
  version: number;
  name: string;
  sql: string;
  /** A data step after `sql`, in the same transaction, for what SQL alone cannot do. */
  run?: (db: Database.Database) => void;
}

/** Applied in order; a project file records the last one applied in PRAGMA user_version. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initialSchema },
  { version: 2, name: 'search-and-map', sql: searchAndMapSchema },
  { version: 3, name: 'packed-vectors', sql: packedVectorsSchema, run: packOldVectors },
  { version: 4, name: 'patch-sets', sql: patchSetsSchema },
  { version: 5, name: 'annotations', sql: annotationsSchema },
  { version: 6, name: 'review-focus', sql: reviewFocusSchema },
  { version: 7, name: 'predictions-without-rowid', sql: predictionsWithoutRowidSchema },
  { version: 8, name: 'block-tile-ranges', sql: blockTileRangesSchema, run: fillBlockTileRanges },
];

export const latestSchemaVersion = migrations[migrations.length - 1]!.version;
