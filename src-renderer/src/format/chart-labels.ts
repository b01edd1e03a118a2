/**
 * A category label broken into lines of at most `width` characters, after its own separators
 * (- _ . space) where it can: Chart.js draws an array label as stacked lines, so long backbone
 * names stay upright and whole instead of rotating into each other.
 */
export function wrapChartLabel(text: string, width = 14): string[] {
  const pieces = text.match(/[^-_. ]+[-_. ]*|[-_. ]+/g) ?? [text];
  const lines: string[] = [];
  let line = '';
  for (let piece of pieces) {
    while (piece.length > width) {
      if (line) lines.push(line);
      lines.push(piece.slice(0, width));
      piece = piece.slice(width);
      line = '';
    }
    if (line && (line + piece).trimEnd().length > width) {
      lines.push(line);
      line = '';
    }
    line += piece;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [text];
}
