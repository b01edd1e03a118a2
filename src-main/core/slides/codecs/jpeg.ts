/**
 * Builds the JPEG stream a standard decoder can read from a TIFF tile: the shared JPEGTables
 * (quantisation and Huffman tables, stored once per image) spliced in after SOI, and an Adobe
 * APP14 marker stating the colour transform. libjpeg guesses the colour space from markers and
 * component ids, and guesses YCbCr for Aperio's RGB tiles (ids 0,1,2 and no markers), which
 * turns tissue green; the TIFF's photometric tag is the authority, so we say it explicitly.
 */
export function buildJpegStream(tile: Uint8Array, tables: Uint8Array | null, photometric: number): Uint8Array {
  if (tile.length < 4 || tile[0] !== 0xff || tile[1] !== 0xd8) throw new Error('tile is not a JPEG stream (no SOI marker)');
  let tableBody: Uint8Array = new Uint8Array(0);
  if (tables && tables.length >= 4 && tables[0] === 0xff && tables[1] === 0xd8) {
    // Drop the tables' SOI and, when present, their EOI.
    const end = tables[tables.length - 2] === 0xff && tables[tables.length - 1] === 0xd9 ? tables.length - 2 : tables.length;
    tableBody = tables.subarray(2, end);
  }
  // APP14 "Adobe": version 100, flags0 0, flags1 0, transform (0 = none/RGB, 1 = YCbCr).
  const transform = photometric === 2 ? 0 : 1;
  const adobe = new Uint8Array([0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0, 0, 0, 0, transform]);
  const greyscale = photometric === 1 || photometric === 0;
  const out = new Uint8Array(2 + (greyscale ? 0 : adobe.length) + tableBody.length + tile.length - 2);
  out[0] = 0xff;
  out[1] = 0xd8;
  let at = 2;
  if (!greyscale) {
    out.set(adobe, at);
    at += adobe.length;
  }
  out.set(tableBody, at);
  at += tableBody.length;
  out.set(tile.subarray(2), at);
  return out;
}
