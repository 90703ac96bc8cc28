import type { Kysely, Selectable } from 'kysely';
import type { ApiTokenRecord, ApiTokenStore, UserStore } from '../types.js';
import { fromJson, num, numOrNull, toJson } from './codec.js';
import { credentialQueries } from './credentials.js';
import { type SqlDialect, serialisedPer } from './dialect.js';
import type { ApiTokensTable, Database } from './schema.js';
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
      await db
        .insertInto(T)
        .values({
          id: t.id,
          digest: t.digest,
          user_id: t.userId,
          name: t.name,
          prefix: t.prefix,
          scopes: toJson(t.scopes),
          created_at: t.createdAt,
          last_used_at: t.lastUsedAt,
          expires_at: t.expiresAt,
        })
        .execute();
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
          .columns([
            'id',
            'digest',
            'user_id',
            'name',
            'prefix',
            'scopes',
            'created_at',
            'last_used_at',
            'expires_at',
          ])
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
