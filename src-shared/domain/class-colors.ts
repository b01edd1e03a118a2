/**
 * A distinct, colour-blind-friendly colour per class (Okabe-Ito), as QuPath's packed RGB and as
 * hex: the one source of class colours for the UI (task tables, map categories, class maps), the
 * GeoJSON exports and the HTML report, so a class looks the same everywhere.
 */
const palette = [0xe69f00, 0x56b4e9, 0x009e73, 0xf0e442, 0x0072b2, 0xd55e00, 0xcc79a7, 0x999999];

export function classColor(index: number): { rgb: [number, number, number]; hex: string; packed: number } {
  const value = palette[index % palette.length]!;
  const rgb: [number, number, number] = [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  return { rgb, hex: `#${value.toString(16).padStart(6, '0')}`, packed: value };
}
