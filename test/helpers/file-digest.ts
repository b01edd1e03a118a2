import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** sha256 of a file's bytes, or null when it does not exist: to prove a file was left untouched. */
export function fileDigest(file: string): string | null {
  if (!fs.existsSync(file)) return null;
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
