import { type Kysely, sql } from 'kysely';
import type { RateLimitStore } from '../types.js';
import { num } from './codec.js';
import { deleteExpiredBatch } from './delete-expired.js';
import type { Database } from './schema.js';
import { guard } from './translate-errors.js';

const T = 'gatehouse_rate_limits';

/**
 * The RateLimitStore over `gatehouse_rate_limits`: one row per key holding a fixed window that
 * starts at its first hit. `hit` is a single upsert, so concurrent hits on several servers all
 * count and the window restarts exactly once when it has ended.
 *
 * @example
 * const limits = sqlRateLimitStore(db);
 * const { count, resetAt } = await limits.hit(`login:${ip}`, 60_000, now);
 */
export function sqlRateLimitStore(db: Kysely<Database>): RateLimitStore {
  const hits = sql.ref<number>(`${T}.hits`);
  const resetAt = sql.ref<number>(`${T}.reset_at`);

  return guard('rateLimits', {
    async hit(key, windowMs, now) {
      const ended = sql<boolean>`${resetAt} <= ${now}`;
      const row = await db
        .insertInto(T)
        .values({ key, hits: 1, reset_at: now + windowMs })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            // Both expressions read the row as it was before this update (SQL semantics).
            hits: sql<number>`case when ${ended} then 1 else ${hits} + 1 end`,
            reset_at: sql<number>`case when ${ended} then ${now + windowMs} else ${resetAt} end`,
          }),
        )
        .returning(['hits', 'reset_at'])
        .executeTakeFirstOrThrow();
      return { count: num(row.hits), resetAt: num(row.reset_at) };
    },
    async peek(key, now) {
      const row = await db
        .selectFrom(T)
        .select(['hits', 'reset_at'])
        .where('key', '=', key)
        .where('reset_at', '>', now)
        .executeTakeFirst();
      return row ? { count: num(row.hits), resetAt: num(row.reset_at) } : null;
    },
    async reset(key) {
      await db.deleteFrom(T).where('key', '=', key).execute();
    },
    deleteExpired: (now, limit) => deleteExpiredBatch(db, T, 'key', 'reset_at', now, limit),
  } satisfies Required<RateLimitStore>);
}
