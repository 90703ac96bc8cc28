/**
 * The one place where values cross between JavaScript and SQL columns, so the dialect quirks
 * (pg's int8-as-string, SQLite's missing boolean type) are handled once.
 */

/** A bigint column value as a number: pg returns int8 as a string, SQLite as a number. */
export function num(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Like {@link num}, for nullable columns. */
export function numOrNull(value: number | string | bigint | null): number | null {
  return value === null ? null : num(value);
}

/** Booleans are integer 0/1 on every dialect: SQLite has no boolean type to bind. */
export function toFlag(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}

/** Reads a 0/1 flag column (pg may hand back a string for some integer types). */
export function fromFlag(value: number | string | boolean): boolean {
  return value === true || Number(value) === 1;
}

/** JSON columns are text on every dialect: we store and fetch them whole, never query into them. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Parses a JSON text column; the row was written by {@link toJson}. */
export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
