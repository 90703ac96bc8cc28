import type { Kysely, Selectable } from 'kysely';
import type { SessionRecord, SessionStore, UserStore } from '../types.js';
import { fromJson, num, toJson } from './codec.js';
import { credentialQueries } from './credentials.js';
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
 * request, so it is compiled once (credentials.ts, which holds the reads API tokens share). A
 * session is expired once `expires_at <= now`.
 *
 * @example
 * const sessions = sqlSessionStore(db);
 * const session = await sessions.findByDigest(sha256hex(cookieValue));
 */
export function sqlSessionStore(db: Kysely<Database>, users?: UserStore): SessionStore {
  const shared = credentialQueries(db, T, toSession);
  const withUser = users ? sqlLookupWithUser(db, T, users, toSession, 'sessions') : undefined;

  return guard('sessions', {
    ...shared,
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
    async deleteForUser(userId, exceptDigest) {
      let q = db.deleteFrom(T).where('user_id', '=', userId);
      if (exceptDigest !== undefined) q = q.where('digest', '!=', exceptDigest);
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  } satisfies SessionStore);
}
