const UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON escapes C0 controls; DEL and the C1 range (a lone CSI, say) are escaped here too, and the
 * bidirectional overrides that would make a line read differently from what it holds.
 */
export const safe = (json: string): string =>
  json.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Text a client chose, as a JSON string: control characters cannot forge a line or drive a terminal. */
export const quote = (text: string): string => safe(JSON.stringify(text));

/** Text a client chose: as is when it is plain printable text, else quoted. */
export const printable = (text: string): string =>
  /^[\u0020-\u007e\u00a0-\uffff]*$/.test(text) && !/^\s|\s$|"/.test(text) && !text.match(UNSAFE)
    ? text
    : quote(text);

/** An instant to the second, in UTC, or '-' for none. */
export const stamp = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Column widths that fit every row. */
export function widths(rows: readonly (readonly string[])[]): number[] {
  return rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
}

/** One row with its cells padded to `widths`, two spaces apart. */
export function tableRow(row: readonly string[], columnWidths: readonly number[]): string {
  return row
    .map((cell, i) => cell.padEnd(columnWidths[i] ?? 0))
    .join('  ')
    .trimEnd();
}

/** An aligned table: a header row and its rows. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const w = widths(rows);
  return rows.map((r) => tableRow(r, w));
}
