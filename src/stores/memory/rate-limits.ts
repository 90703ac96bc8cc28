import type { RateLimitHit, RateLimitStore } from '../types.js';

/** Above this many keys, a hit first sweeps out the windows that have ended. */
const SWEEP_ABOVE = 10_000;

/**
 * A RateLimitStore held in process memory: fixed windows that start at a key's first hit.
 * Ended windows are swept when the map grows, so a client cycling keys cannot grow it forever.
 *
 * @example
 * const limits = memoryRateLimitStore();
 * const { count, resetAt } = await limits.hit('login:203.0.113.9', 60_000, now);
 */
export function memoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, RateLimitHit>();

  const sweep = (now: number, limit = Number.POSITIVE_INFINITY): number => {
    let n = 0;
    for (const [key, w] of windows) {
      if (n >= limit) break;
      if (w.resetAt <= now && windows.delete(key)) n++;
    }
    return n;
  };

  return {
    async hit(key, windowMs, now) {
      let w = windows.get(key);
      if (!w || w.resetAt <= now) {
        if (!w && windows.size >= SWEEP_ABOVE) sweep(now);
        w = { count: 0, resetAt: now + windowMs };
        windows.set(key, w);
      }
      w.count++;
      return { ...w };
    },
    async peek(key, now) {
      const w = windows.get(key);
      return w && w.resetAt > now ? { ...w } : null;
    },
    async reset(key) {
      windows.delete(key);
    },
    async deleteExpired(now, limit) {
      return sweep(now, limit);
    },
  };
}
