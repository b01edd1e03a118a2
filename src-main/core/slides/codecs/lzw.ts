/**
 * TIFF LZW (MSB-first codes, 9 to 12 bits, "early change") into at most `maxOutput` bytes.
 * Dictionary entries point into the output already written instead of holding copies: an entry is
 * always the string written just before plus the first byte written after it.
 */
export function decodeLzw(input: Uint8Array, maxOutput: number): Uint8Array {
  const out = new Uint8Array(maxOutput);
  const start = new Int32Array(4096);
  const length = new Int32Array(4096);
  let outPos = 0;
  let bitPos = 0;
  const totalBits = input.length * 8;
  let width = 9;
  let nextCode = 258;
  let prevStart = -1;
  let prevLength = 0;
  while (bitPos + width <= totalBits) {
    // Read `width` bits MSB-first.
    const byte = bitPos >>> 3;
    const word = ((input[byte]! << 16) | ((input[byte + 1] ?? 0) << 8) | (input[byte + 2] ?? 0)) >>> 0;
    const code = (word >>> (24 - (bitPos & 7) - width)) & ((1 << width) - 1);
    bitPos += width;
    if (code === 257) break;
    if (code === 256) {
      width = 9;
      nextCode = 258;
      prevStart = -1;
      continue;
    }
    let entryStart: number;
    let entryLength: number;
    if (code < 256) {
      if (outPos >= maxOutput) break;
      out[outPos] = code;
      entryStart = outPos;
      entryLength = 1;
      outPos += 1;
    } else if (code < nextCode) {
      entryStart = outPos;
      entryLength = length[code]!;
      const from = start[code]!;
      const n = Math.min(entryLength, maxOutput - outPos);
      out.copyWithin(outPos, from, from + n);
      outPos += n;
      if (n < entryLength) break;
    } else if (code === nextCode && prevStart >= 0) {
      // The string not yet in the table: previous string plus its own first byte.
      entryStart = outPos;
      entryLength = prevLength + 1;
      const n = Math.min(prevLength, maxOutput - outPos);
      out.copyWithin(outPos, prevStart, prevStart + n);
      outPos += n;
      if (n < prevLength || outPos >= maxOutput) break;
      out[outPos++] = out[prevStart]!;
    } else {
      throw new Error(`corrupt LZW data (code ${code} before it was defined)`);
    }
    if (prevStart >= 0 && nextCode < 4096) {
      start[nextCode] = prevStart;
      length[nextCode] = prevLength + 1;
      nextCode++;
      if (nextCode + 1 >= 1 << width && width < 12) width++;
    }
    prevStart = entryStart;
    prevLength = entryLength;
  }
  return outPos === maxOutput ? out : out.subarray(0, outPos);
}

export function decodePackBits(input: Uint8Array, maxOutput: number): Uint8Array {
  const out = new Uint8Array(maxOutput);
  let i = 0;
  let o = 0;
  while (i < input.length && o < maxOutput) {
    const n = (input[i++]! << 24) >> 24;
    if (n >= 0) {
      const count = Math.min(n + 1, maxOutput - o, input.length - i);
      out.set(input.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n !== -128) {
      const count = Math.min(1 - n, maxOutput - o);
      out.fill(input[i++] ?? 0, o, o + count);
      o += count;
    }
  }
  return out.subarray(0, o);
}
