/**
 * What a row can hold, so that a lookup for a value no row can have answers "not found" instead
 * of reaching the database: PostgreSQL refuses U+0000 in text and integers past 2^31-1 (its
 * `integer`, the user id columns) with an error, which would be a 500 for a request that only
 * named something that cannot exist (`DELETE /api/auth/tokens/%00/`, a JWT whose `user_id` is
 * 2^40). SQLite takes both, but no row holds them either, so both dialects answer alike.
 */
const INT4_MAX = 2 ** 31 - 1;

/** True when `id` could be a user's id (an integer within PostgreSQL's `integer`). */
export function canBeId(id: number): boolean {
  return Number.isInteger(id) && id >= -INT4_MAX - 1 && id <= INT4_MAX;
}

/** True when `text` could be stored in a text column (no NUL). */
export function canBeText(text: string): boolean {
  return typeof text === 'string' && !text.includes('\0');
}
