import type { Kysely, Selectable } from 'kysely';
import type { UserId } from '../types.js';
import { CREDENTIAL_COLUMNS } from './columns.js';
import { deleteExpiredBatch } from './delete-expired.js';
import { preparedQuery } from './prepared.js';
import type { Database, Millis } from './schema.js';
import { canBeId, canBeText } from './storable.js';

/** The tables of credentials a user holds: sessions and API tokens. */
type CredentialTable = 'gatehouse_sessions' | 'gatehouse_api_tokens';

/** The columns both credential tables have, which every query here reads or filters on. */
interface CredentialColumns {
  id: string;
  digest: string;
  user_id: number;
  created_at: Millis;
  expires_at: Millis | null;
}

/** The reads and deletes the session and API-token stores share. */
export interface CredentialQueries<R> {
  /** The per-request lookup: a statement compiled (and on SQLite prepared) once. */
  findByDigest(digest: string): Promise<R | null>;
  findByPublicId(id: string): Promise<R | null>;
  /** Newest first; ties by id, so the order is stable. */
  listForUser(userId: UserId): Promise<R[]>;
  /** False when the id is not one of the user's. */
  deleteById(userId: UserId, id: string): Promise<boolean>;
  /** A bounded batch of rows with `expires_at <= now` (a null expiry never matches). */
  deleteExpired(now: number, limit: number): Promise<number>;
}

/**
 * The queries a credential table answers the same way whichever credential it holds, each
 * turning rows into records with `toRecord`. Spread into the store's object, inside `guard`.
 *
 * @example
 * const shared = credentialQueries(db, 'gatehouse_sessions', toSession);
 * return guard('sessions', { ...shared, async create(s) { … } });
 */
export function credentialQueries<T extends CredentialTable, R>(
  db: Kysely<Database>,
  table: T,
  toRecord: (row: Selectable<Database[T]>) => R,
): CredentialQueries<R> {
  // Both tables have these columns; a narrow view lets one statement serve either.
  const c = db as unknown as Kysely<{ credentials: CredentialColumns }>;
  const t = table as CredentialTable as 'credentials';
  const record = (row: Selectable<CredentialColumns>): R =>
    toRecord(row as unknown as Selectable<Database[T]>);
  // Every column by name (columns.ts): the narrow view only types the filter.
  const columns = CREDENTIAL_COLUMNS[table] as readonly string[] as readonly (keyof CredentialColumns)[];
  const byDigest = preparedQuery(c, c.selectFrom(t).select(columns).where('digest', '=', ''), 1);

  return {
    async findByDigest(digest) {
      if (!canBeText(digest)) return null;
      const [row] = await byDigest([digest]);
      return row ? record(row) : null;
    },
    async findByPublicId(id) {
      if (!canBeText(id)) return null;
      const row = await c.selectFrom(t).selectAll().where('id', '=', id).executeTakeFirst();
      return row ? record(row) : null;
    },
    async listForUser(userId) {
      if (!canBeId(userId)) return [];
      const rows = await c
        .selectFrom(t)
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(record);
    },
    async deleteById(userId, id) {
      if (!canBeId(userId) || !canBeText(id)) return false;
      const r = await c.deleteFrom(t).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    deleteExpired: (now, limit) => deleteExpiredBatch(db, table, 'id', 'expires_at', now, limit),
  };
}
