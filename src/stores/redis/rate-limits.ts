import type { RateLimitStore } from '../types.js';
import type { RedisClient } from './client.js';
import { HIT } from './lua/rate-limits.js';
import { redisGuard } from './translate-errors.js';

/**
 * The RateLimitStore in Redis: one hash per key holding a fixed window that starts at its first
 * hit, counted by a Lua script and deleted by Redis when the window ends (its TTL), so there is
 * nothing to sweep (no `deleteExpired`).
 *
 * @example
 * const limits = redisRateLimitStore(client, 'gatehouse:');
 * const { count, resetAt } = await limits.hit(`login:${ip}`, 60_000, now);
 */
export function redisRateLimitStore(client: RedisClient, prefix: string): RateLimitStore {
  const key = (k: string): string => `${prefix}rate:${k}`;

  return redisGuard('rateLimits', {
    async hit(k, windowMs, now) {
      // PEXPIRE takes whole milliseconds, and 0 would delete the window at once.
      const window = Math.max(1, Math.ceil(windowMs));
      const [count, resetAt] = (await HIT.run(client, [key(k)], [now, window, now + windowMs])) as [
        number,
        string,
      ];
      return { count: Number(count), resetAt: Number(resetAt) };
    },
    async peek(k, now) {
      const [count, resetAt] = await client.hmget(key(k), 'count', 'resetAt');
      if (count === null || resetAt === null || Number(resetAt) <= now) return null;
      return { count: Number(count), resetAt: Number(resetAt) };
    },
    async reset(k) {
      await client.del(key(k));
    },
  } satisfies RateLimitStore);
}
