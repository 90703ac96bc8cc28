import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A loose view of the schema: one statement shape over any table's key and time column. */
type Loose = Kysely<Record<string, Record<string, unknown>>>;

/**
 * Deletes up to `limit` rows of `table` whose `column` is at or before `now`, chosen by the
 * primary key `key` in a subquery, so a large flush runs in bounded batches and never holds the
 * write lock long. Returns how many rows went; below `limit` means none is left at `now`.
 *
 * @example
 * const n = await deleteExpiredBatch(db, 'gatehouse_sessions', 'id', 'expires_at', now, 5000);
 */
export async function deleteExpiredBatch<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  key: keyof Database[T] & string,
  column: keyof Database[T] & string,
  now: number,
  limit: number,
): Promise<number> {
  const loose = db as unknown as Loose;
  // Checked against the schema by the signature; plain strings from here on.
  const t: string = table;
  const k: string = key;
  const at: string = column;
  const r = await loose
    .deleteFrom(t)
    .where(k, 'in', loose.selectFrom(t).select(k).where(at, '<=', now).limit(limit))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
