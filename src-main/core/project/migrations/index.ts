import { initialSchema } from './001-initial';
import { searchAndMapSchema } from './002-search-and-map';
import { patchSetsSchema } from './004-patch-sets';
import { annotationsSchema } from './005-annotations';
import { reviewFocusSchema } from './006-review-focus';

export interface Migration {
  /** The user_version the schema has after this migration. */
  version: number;
  name: string;
  sql: string;
}

/** Applied in order; a project file records the last one applied in PRAGMA user_version. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initialSchema },
  { version: 2, name: 'search-and-map', sql: searchAndMapSchema },
  // 3 is the vector store's (issue 15), merged from its own branch.
  { version: 4, name: 'patch-sets', sql: patchSetsSchema },
  { version: 5, name: 'annotations', sql: annotationsSchema },
  { version: 6, name: 'review-focus', sql: reviewFocusSchema },
];

export const latestSchemaVersion = migrations[migrations.length - 1]!.version;
