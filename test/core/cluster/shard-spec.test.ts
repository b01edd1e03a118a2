import { describe, expect, it } from 'vitest';
import { parseShardSpec, shardOfFingerprint } from '../../../src-main/core/cluster/shard-spec';
import { createHash } from 'node:crypto';

const fingerprint = (i: number) => createHash('sha256').update(`slide ${i}`).digest('hex').slice(0, 32);

describe('shard spec', () => {
  it('parses K/N and refuses anything else naming the form', () => {
    expect(parseShardSpec('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShardSpec(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '-1/2', '1.5/3']) expect(() => parseShardSpec(bad)).toThrow(/--shard: expected K\/N/);
  });

  it('puts a fingerprint in one shard in 1..N, spreading 3000 slides evenly', () => {
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const shard = shardOfFingerprint(fingerprint(i), 5);
      expect(shard).toBeGreaterThanOrEqual(1);
      expect(shard).toBeLessThanOrEqual(5);
      counts[shard - 1]!++;
    }
    for (const n of counts) expect(Math.abs(n - 600)).toBeLessThan(120);
    // A known value: the split never changes between versions or machines.
    expect(shardOfFingerprint('0000000000ff' + '0'.repeat(20), 7)).toBe((0xff % 7) + 1);
  });
});
