// Aligned plain-text columns, as `ctr` and `docker` print them: a header row, then one row
// per item, columns padded to the widest cell, the last column unpadded.
const width = (s: string): number => [...s].length;

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, c) => Math.max(...all.map((r) => width(r[c] ?? ''))));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell + ' '.repeat((widths[c] ?? 0) - width(cell))))
      .join('   ')
      .trimEnd();
  return all.map(line).join('\n') + '\n';
}

/** A "field   value" block for one object; a field repeated on several rows keeps its name. */
export function renderFields(rows: readonly (readonly [string, string])[]): string {
  const w = Math.max(0, ...rows.map(([k]) => width(k)));
  return rows.map(([k, v]) => `${k}${' '.repeat(w - width(k))}   ${v}`.trimEnd()).join('\n') + '\n';
}
