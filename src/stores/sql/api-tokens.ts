import type { Insertable, Kysely, Selectable } from 'kysely';
import { leastRecentlyUsed } from '../least-recent.js';
import type { ApiTokenRecord, ApiTokenStore, UserStore } from '../types.js';
import { fromJson, num, numOrNull, toJson } from './codec.js';
import { API_TOKEN_COLUMNS } from './columns.js';
import { credentialQueries } from './credentials.js';
import { type SqlDialect, serialisedPer } from './dialect.js';
import type { ApiTokensTable, Database } from './schema.js';
import { directSqlite } from './sqlite-database.js';
import { canBeId, canBeText } from './storable.js';
import { guard } from './translate-errors.js';
import { sqlLookupWithUser } from './with-user.js';

const T = 'gatehouse_api_tokens';

function toToken(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    digest: row.digest,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    scopes: fromJson<string[]>(row.scopes),
    createdAt: num(row.created_at),
    lastUsedAt: numOrNull(row.last_used_at),
    expiresAt: numOrNull(row.expires_at),
  };
}

function toRow(t: ApiTokenRecord): Insertable<ApiTokensTable> {
  return {
    id: t.id,
    digest: t.digest,
    user_id: t.userId,
    name: t.name,
    prefix: t.prefix,
    scopes: toJson(t.scopes),
    created_at: t.createdAt,
    last_used_at: t.lastUsedAt,
    expires_at: t.expiresAt,
  };
}

/** The user's live tokens at `now`. */
const liveOf = (db: Kysely<Database>, userId: number, now: number) =>
  db
    .selectFrom(T)
    .selectAll()
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));

/**
 * The ApiTokenStore over `gatehouse_api_tokens`. `findByDigest` runs on every token-authenticated
 * request, so it is compiled once (credentials.ts, which holds the reads sessions share). A token
 * is live while `expires_at` is null or later than now.
 *
 * @example
 * const tokens = sqlApiTokenStore(db, 'sqlite');
 * if (!(await tokens.createWithinLimit(token, 10, now))) throw new Error('too many tokens');
 */
export function sqlApiTokenStore(
  db: Kysely<Database>,
  dialect: SqlDialect,
  users?: UserStore,
): ApiTokenStore {
  const shared = credentialQueries(db, T, toToken);
  const withUser = users ? sqlLookupWithUser(db, T, users, toToken, 'apiTokens') : undefined;

  return guard('apiTokens', {
    ...shared,
    withUser,
    async create(t) {
      await db.insertInto(T).values(toRow(t)).execute();
    },
    async createRetiringLeastRecent(t, limit, now) {
      const sqlite = dialect === 'sqlite' ? directSqlite(db as Kysely<unknown>) : undefined;
      if (sqlite) {
        // A better-sqlite3 transaction runs synchronously (nothing else on this connection runs
        // meanwhile, and no lock is held across an await, see dialect.ts); IMMEDIATE takes the
        // write lock before the read, so another connection waits instead of interleaving.
        const select = liveOf(db, t.userId, now).compile();
        const insert = db.insertInto(T).values(toRow(t)).compile();
        return sqlite
          .transaction(() => {
            const rows = sqlite.prepare(select.sql).all(select.parameters) as Selectable<ApiTokensTable>[];
            const live = rows.map(toToken);
            const retired = leastRecentlyUsed(live, live.length - limit + 1);
            if (retired.length > 0) {
              const del = db
                .deleteFrom(T)
                .where(
                  'id',
                  'in',
                  retired.map((r) => r.id),
                )
                .compile();
              sqlite.prepare(del.sql).run(del.parameters);
            }
            sqlite.prepare(insert.sql).run(insert.parameters);
            return retired;
          })
          .immediate();
      }
      // PostgreSQL: one transaction under the per-user advisory lock (dialect.ts). A SQLite
      // database gatehouse did not open goes through Kysely's transaction, which holds its one
      // connection throughout.
      const atomically = <R>(fn: (trx: Kysely<Database>) => Promise<R>): Promise<R> =>
        dialect === 'postgres' ? serialisedPer(db, dialect, T, t.userId, fn) : db.transaction().execute(fn);
      return atomically(async (trx) => {
        const live = (await liveOf(trx, t.userId, now).execute()).map(toToken);
        const retired = leastRecentlyUsed(live, live.length - limit + 1);
        if (retired.length > 0) {
          await trx
            .deleteFrom(T)
            .where(
              'id',
              'in',
              retired.map((r) => r.id),
            )
            .execute();
        }
        await trx.insertInto(T).values(toRow(t)).execute();
        return retired;
      });
    },
    async createWithinLimit(t, limit, now) {
      // One INSERT … SELECT … WHERE (live count) < limit: the count and the insert cannot be split
      // by a concurrent creation. Values are cast so PostgreSQL knows their types in a SELECT list.
      return serialisedPer(db, dialect, T, t.userId, async (trx) => {
        const live = trx
          .selectFrom(T)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('user_id', '=', t.userId)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
        const r = await trx
          .insertInto(T)
          .columns(API_TOKEN_COLUMNS)
          .expression(
            trx
              .selectNoFrom((eb) => [
                eb.cast<string>(eb.val(t.id), 'text').as('id'),
                eb.cast<string>(eb.val(t.digest), 'text').as('digest'),
                eb.cast<number>(eb.val(t.userId), 'integer').as('user_id'),
                eb.cast<string>(eb.val(t.name), 'text').as('name'),
                eb.cast<string>(eb.val(t.prefix), 'text').as('prefix'),
                eb.cast<string>(eb.val(toJson(t.scopes)), 'text').as('scopes'),
                eb.cast<number>(eb.val(t.createdAt), 'bigint').as('created_at'),
                eb.cast<number | null>(eb.val(t.lastUsedAt), 'bigint').as('last_used_at'),
                eb.cast<number | null>(eb.val(t.expiresAt), 'bigint').as('expires_at'),
              ])
              .where(live, '<', limit),
          )
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
      });
    },
    async findById(userId, id) {
      if (!canBeId(userId) || !canBeText(id)) return null;
      const row = await db
        .selectFrom(T)
        .selectAll()
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row ? toToken(row) : null;
    },
    async touch(digest, lastUsedAt, expiresAt) {
      await db
        .updateTable(T)
        .set(
          expiresAt === undefined
            ? { last_used_at: lastUsedAt }
            : { last_used_at: lastUsedAt, expires_at: expiresAt },
        )
        .where('digest', '=', digest)
        .execute();
    },
    async deleteForUser(userId) {
      const r = await db.deleteFrom(T).where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  } satisfies ApiTokenStore);
}
