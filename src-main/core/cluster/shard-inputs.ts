import type { ExtractionInput } from '../extraction/collect-inputs';
import { FileReader } from '../slides/file-reader';
import { contentFingerprint } from '../slides/fingerprint';
import { shardOfFingerprint, type ShardSpec } from './shard-spec';

export interface ShardedInput {
  input: ExtractionInput;
  fingerprint: string;
}

/** Reads one file's content fingerprint (the same one the slide readers compute). */
export async function fingerprintOfFile(file: string): Promise<string> {
  const reader = await FileReader.open(file);
  try {
    return await contentFingerprint(reader);
  } finally {
    await reader.close();
  }
}

/**
 * The inputs that fall into one shard. A file that cannot be read is kept, so the shard that
 * owns it by path order reports the failure instead of every shard dropping it silently: it goes
 * to shard 1.
 */
export async function inputsOfShard(inputs: readonly ExtractionInput[], shard: ShardSpec): Promise<{ selected: ShardedInput[]; unreadable: ExtractionInput[] }> {
  const selected: ShardedInput[] = [];
  const unreadable: ExtractionInput[] = [];
  for (const input of inputs) {
    let fingerprint: string;
    try {
      fingerprint = await fingerprintOfFile(input.path);
    } catch {
      if (shard.index === 1) unreadable.push(input);
      continue;
    }
    if (shardOfFingerprint(fingerprint, shard.count) === shard.index) selected.push({ input, fingerprint });
  }
  return { selected, unreadable };
}
