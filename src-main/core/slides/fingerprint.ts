import { createHash } from 'node:crypto';
import type { FileReader } from './file-reader';

const SAMPLE = 1 << 20;

/**
 * A content fingerprint: SHA-256 of the size and the first and last MiB. Headers, tile tables and
 * descriptions live there, so two different slides practically never share one, and hashing stays
 * instant for multi-gigabyte files. Moving or renaming the file keeps it.
 */
export async function contentFingerprint(file: FileReader): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`size:${file.size};`);
  hash.update(await file.readUpTo(0, SAMPLE));
  if (file.size > SAMPLE) hash.update(await file.readUpTo(Math.max(SAMPLE, file.size - SAMPLE), SAMPLE));
  return hash.digest('hex').slice(0, 32);
}
