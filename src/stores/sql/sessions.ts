import type { Kysely, Selectable } from 'kysely';
import type { SessionRecord, SessionStore, UserStore } from '../types.js';
import { fromJson, num, toJson } from './codec.js';
import { preparedQuery } from './prepared.js';
import type { Database, SessionsTable } from './schema.js';
import { guard } from './translate-errors.js';
import { sqlLookupWithUser } from './with-user.js';

const T = 'gatehouse_sessions';

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    digest: row.digest,
    userId: row.user_id,
    createdAt: num(row.created_at),
    lastSeenAt: num(row.last_seen_at),
    expiresAt: num(row.expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
    data: fromJson<Record<string, unknown>>(row.data),
  };
}

/**
 * The SessionStore over `gatehouse_sessions`. `findByDigest` runs on every cookie-authenticated
 * request, so it is compiled once here. A session is expired once `expires_at <= now`.
 *
 * @example
 * const sessions = sqlSessionStore(db);
 * const session = await sessions.findByDigest(sha256hex(cookieValue));
 */
export function sqlSessionStore(db: Kysely<Database>, users?: UserStore): SessionStore {
  const byDigest = preparedQuery(db, db.selectFrom(T).selectAll().where('digest', '=', ''), 1);
  const withUser = users ? sqlLookupWithUser(db, T, users, toSession, 'sessions') : undefined;

  return guard('sessions', {
    withUser,
    async create(s) {
      await db
        .insertInto(T)
        .values({
          id: s.id,
          digest: s.digest,
          user_id: s.userId,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          expires_at: s.expiresAt,
          ip: s.ip,
          user_agent: s.userAgent,
          data: toJson(s.data),
        })
        .execute();
    },
    async findByDigest(digest) {
      const [row] = await byDigest([digest]);
      return row ? toSession(row) : null;
    },
    async touch(digest, lastSeenAt) {
      await db.updateTable(T).set({ last_seen_at: lastSeenAt }).where('digest', '=', digest).execute();
    },
    async saveData(digest, data) {
      await db
        .updateTable(T)
        .set({ data: toJson(data) })
        .where('digest', '=', digest)
        .execute();
    },
    async deleteByDigest(digest) {
      const r = await db.deleteFrom(T).where('digest', '=', digest).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    async deleteById(userId, id) {
      const r = await db.deleteFrom(T).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    async findByPublicId(id) {
      const row = await db.selectFrom(T).selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toSession(row) : null;
    },
    async listForUser(userId) {
      const rows = await db
        .selectFrom(T)
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(toSession);
    },
    async deleteForUser(userId, exceptDigest) {
      let q = db.deleteFrom(T).where('user_id', '=', userId);
      if (exceptDigest !== undefined) q = q.where('digest', '!=', exceptDigest);
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async deleteExpired(now, limit) {
      // A bounded batch, chosen by primary key, so a large flush never holds the write lock long.
      const r = await db
        .deleteFrom(T)
        .where('id', 'in', db.selectFrom(T).select('id').where('expires_at', '<=', now).limit(limit))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  } satisfies SessionStore);
}
