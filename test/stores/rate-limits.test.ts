import { expect, it } from 'vitest';
import { describeBackends, holding, perTest } from './backends.js';
import { MINUTE, T0 } from './fixtures.js';

describeBackends(
  'RateLimitStore',
  (backend) => {
    const b = perTest(backend);

    it('counts hits in a fixed window that starts at the first hit', async () => {
      expect(await b.stores.rateLimits.hit('k', MINUTE, T0)).toEqual({ count: 1, resetAt: T0 + MINUTE });
      expect(await b.stores.rateLimits.hit('k', MINUTE, T0 + 10_000)).toEqual({
        count: 2,
        resetAt: T0 + MINUTE,
      });
      expect(await b.stores.rateLimits.hit('k', MINUTE, T0 + MINUTE - 1)).toEqual({
        count: 3,
        resetAt: T0 + MINUTE,
      });
    });

    it('starts a new window once the old one has ended', async () => {
      await b.stores.rateLimits.hit('k', MINUTE, T0);
      await b.stores.rateLimits.hit('k', MINUTE, T0 + 1);
      expect(await b.stores.rateLimits.hit('k', MINUTE, T0 + MINUTE)).toEqual({
        count: 1,
        resetAt: T0 + 2 * MINUTE,
      });
      expect(await b.stores.rateLimits.hit('k', MINUTE, T0 + 5 * MINUTE)).toEqual({
        count: 1,
        resetAt: T0 + 6 * MINUTE,
      });
    });

    it('peeks without counting, and sees nothing of an ended window', async () => {
      expect(await b.stores.rateLimits.peek('k', T0)).toBeNull();
      await b.stores.rateLimits.hit('k', MINUTE, T0);
      expect(await b.stores.rateLimits.peek('k', T0 + 1)).toEqual({ count: 1, resetAt: T0 + MINUTE });
      expect(await b.stores.rateLimits.peek('k', T0 + 2)).toEqual({ count: 1, resetAt: T0 + MINUTE });
      expect(await b.stores.rateLimits.peek('k', T0 + MINUTE)).toBeNull();
    });

    it('keeps keys apart and resets one', async () => {
      await b.stores.rateLimits.hit('a', MINUTE, T0);
      await b.stores.rateLimits.hit('a', MINUTE, T0);
      await b.stores.rateLimits.hit('b', MINUTE, T0);
      await b.stores.rateLimits.reset('a');
      expect(await b.stores.rateLimits.peek('a', T0)).toBeNull();
      expect(await b.stores.rateLimits.peek('b', T0)).toEqual({ count: 1, resetAt: T0 + MINUTE });
      expect((await b.stores.rateLimits.hit('a', MINUTE, T0 + 1)).count).toBe(1);
    });

    it('counts every one of many concurrent hits, across instances', async () => {
      const other = await b.current.peer();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? other : b.stores).rateLimits.hit('burst', MINUTE, T0)),
      );
      expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      expect(await b.stores.rateLimits.peek('burst', T0)).toEqual({ count: 30, resetAt: T0 + MINUTE });
    });

    it('sweeps ended windows in batches', async () => {
      const sweep = b.stores.rateLimits.deleteExpired?.bind(b.stores.rateLimits);
      if (!sweep) return; // a backend whose keys expire by themselves
      for (let i = 0; i < 7; i++) await b.stores.rateLimits.hit(`old${i}`, MINUTE, T0 - MINUTE - i);
      await b.stores.rateLimits.hit('live', MINUTE, T0);
      expect(await sweep(T0, 5)).toBe(5);
      expect(await sweep(T0, 5)).toBe(2);
      expect(await sweep(T0, 5)).toBe(0);
      expect(await b.stores.rateLimits.peek('live', T0)).not.toBeNull();
    });
  },
  holding('rateLimits'),
);
