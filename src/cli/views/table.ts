/**
 * tabulate's "simple" format, which upstream's CLI prints its lists with: columns two spaces apart, a row of
 * dashes under the header, multi-line cells, every cell padded to its column's width (colour codes take no room).
 * Kept as this small helper rather than cli-table3: that draws either no rule or one between every row, never
 * tabulate's single rule under the header, and the lists' output is upstream's, pinned byte for byte.
 */
import { visibleLength } from '../output.js';

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}

export function simpleTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const cells = rows.map((row) => headers.map((_, i) => (row[i] ?? '').split('\n')));
  const widths = headers.map((header, i) =>
    Math.max(visibleLength(header), ...cells.map((row) => Math.max(0, ...(row[i] ?? []).map(visibleLength)))),
  );
  const lines = [
    headers.map((h, i) => pad(h, widths[i] ?? 0)).join('  '),
    widths.map((w) => '-'.repeat(w)).join('  '),
  ];
  for (const row of cells) {
    const height = Math.max(1, ...row.map((c) => c.length));
    for (let line = 0; line < height; line += 1) {
      lines.push(row.map((c, i) => pad(c[line] ?? '', widths[i] ?? 0)).join('  '));
    }
  }
  return lines;
}

/** A cell text at most `width` characters wide; a longer one ends with an ellipsis, so nothing looks complete that is not. */
export function cut(text: string | undefined, width = 45): string {
  const chars = [...(text ?? '')];
  return chars.length <= width ? chars.join('') : `${chars.slice(0, width - 1).join('')}…`;
}
