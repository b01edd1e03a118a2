import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileReader } from '../../../src-main/core/slides/file-reader';
import { useTempDir } from '../../helpers/temp-dir';

describe('FileReader', () => {
  const dir = useTempDir();

  it('keeps a lent descriptor open until the loan settles, and lends nothing once closing', async () => {
    const file = path.join(dir(), 'bytes.bin');
    fs.writeFileSync(file, Uint8Array.from({ length: 100 }, (_, i) => i));
    const reader = await FileReader.open(file);
    let release!: () => void;
    const loan = reader.lend(async (fd) => {
      await new Promise<void>((resolve) => (release = resolve));
      // A descriptor closed under this read would fail here (or read another file's bytes).
      const bytes = Buffer.alloc(4);
      fs.readSync(fd, bytes, 0, 4, 10);
      return Array.from(bytes);
    });
    let closed = false;
    const closing = reader.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    await expect(reader.lend(async () => 1)).rejects.toThrow(`${file}: read after the slide was closed`);
    release();
    expect(await loan).toEqual([10, 11, 12, 13]);
    await closing;
    expect(closed).toBe(true);
  });

  it('checks a span against the file size before anything reads it', async () => {
    const file = path.join(dir(), 'small.bin');
    fs.writeFileSync(file, new Uint8Array(10));
    const reader = await FileReader.open(file);
    try {
      expect(() => reader.checkSpan(0, 10, 'tile 0')).not.toThrow();
      expect(() => reader.checkSpan(4, 7, 'tile 1')).toThrow(`${file}: tile 1 lies past the end of the file (bytes 4..11 of 10; truncated file?)`);
      expect(() => reader.checkSpan(-1, 2, 'tile 2')).toThrow(`${file}: tile 2 has an invalid offset or length`);
    } finally {
      await reader.close();
    }
  });
});
