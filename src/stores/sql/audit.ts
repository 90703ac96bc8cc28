import type { Kysely } from 'kysely';
import type { AuditEvent, AuditStore } from '../types.js';
import { fromJson, num, toJson } from './codec.js';
import { deleteExpiredBatch } from './delete-expired.js';
import type { Database } from './schema.js';
import { canBeId } from './storable.js';
import { guard } from './translate-errors.js';

const T = 'gatehouse_audit';

/**
 * The AuditStore over `gatehouse_audit`, an append-only log. `list` returns the newest first.
 *
 * @example
 * const audit = sqlAuditStore(db);
 * const recent = await audit.list({ userId: 1, limit: 50 });
 */
export function sqlAuditStore(db: Kysely<Database>): AuditStore {
  return guard('audit', {
    async append(e) {
      await db
        .insertInto(T)
        .values({
          at: e.at,
          event: e.event,
          user_id: e.userId,
          username: e.username,
          ip: e.ip,
          user_agent: e.userAgent,
          scheme: e.scheme,
          detail: toJson(e.detail),
        })
        .execute();
    },
    async list({ userId, since, limit }) {
      let q = db.selectFrom(T).selectAll();
      if (userId !== undefined) {
        if (!canBeId(userId)) return [];
        q = q.where('user_id', '=', userId);
      }
      if (since !== undefined) q = q.where('at', '>=', since);
      const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(
        (r): AuditEvent => ({
          at: num(r.at),
          event: r.event,
          userId: r.user_id,
          username: r.username,
          ip: r.ip,
          userAgent: r.user_agent,
          scheme: r.scheme,
          detail: fromJson<Record<string, unknown>>(r.detail),
        }),
      );
    },
    // A bounded batch by id, like every expired-row sweep (the `at` index finds them).
    deleteBefore: (cutoff, limit) => deleteExpiredBatch(db, T, 'id', 'at', cutoff, limit),
  } satisfies AuditStore);
}
