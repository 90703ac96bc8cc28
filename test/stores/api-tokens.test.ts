import { expect, it } from 'vitest';
import { UniqueViolation } from '../../src/stores/errors.js';
import { describeBackends, holding, perTest } from './backends.js';
import { apiToken, DAY, MINUTE, T0 } from './fixtures.js';

describeBackends(
  'ApiTokenStore',
  (backend) => {
    const b = perTest(backend);

    it('stores a token and finds it by digest and by (user, id)', async () => {
      const t = apiToken({ scopes: ['read', 'write'], expiresAt: T0 + DAY });
      await b.stores.apiTokens.create(t);
      expect(await b.stores.apiTokens.findByDigest(t.digest)).toEqual(t);
      expect(await b.stores.apiTokens.findById(1, t.id)).toEqual(t);
      expect(await b.stores.apiTokens.findById(2, t.id)).toBeNull();
      expect(await b.stores.apiTokens.findByPublicId(t.id)).toEqual(t);
      expect(await b.stores.apiTokens.findByPublicId('no-such-id')).toBeNull();
      expect(await b.stores.apiTokens.findByDigest('f'.repeat(64))).toBeNull();
    });

    it('refuses a second token with the same digest', async () => {
      const t = apiToken();
      await b.stores.apiTokens.create(t);
      await expect(b.stores.apiTokens.create(apiToken({ digest: t.digest }))).rejects.toBeInstanceOf(
        UniqueViolation,
      );
    });

    it("lists one user's tokens, newest first", async () => {
      const a = apiToken({ createdAt: T0 });
      const c = apiToken({ createdAt: T0 + MINUTE });
      await b.stores.apiTokens.create(a);
      await b.stores.apiTokens.create(c);
      await b.stores.apiTokens.create(apiToken({ userId: 2 }));
      expect((await b.stores.apiTokens.listForUser(1)).map((t) => t.id)).toEqual([c.id, a.id]);
    });

    it('touch writes last used, and a new expiry only when given (null: never expires)', async () => {
      const t = apiToken({ expiresAt: T0 + DAY });
      await b.stores.apiTokens.create(t);
      await b.stores.apiTokens.touch(t.digest, T0 + 1);
      expect(await b.stores.apiTokens.findByDigest(t.digest)).toMatchObject({
        lastUsedAt: T0 + 1,
        expiresAt: T0 + DAY,
      });
      await b.stores.apiTokens.touch(t.digest, T0 + 2, T0 + 2 * DAY);
      expect(await b.stores.apiTokens.findByDigest(t.digest)).toMatchObject({
        lastUsedAt: T0 + 2,
        expiresAt: T0 + 2 * DAY,
      });
      await b.stores.apiTokens.touch(t.digest, T0 + 3, null);
      expect(await b.stores.apiTokens.findByDigest(t.digest)).toMatchObject({
        lastUsedAt: T0 + 3,
        expiresAt: null,
      });
    });

    it("deletes by id only the owner's token, and all of a user's tokens", async () => {
      const t = apiToken();
      await b.stores.apiTokens.create(t);
      await b.stores.apiTokens.create(apiToken());
      const other = apiToken({ userId: 2 });
      await b.stores.apiTokens.create(other);
      expect(await b.stores.apiTokens.deleteById(2, t.id)).toBe(false);
      expect(await b.stores.apiTokens.deleteById(1, t.id)).toBe(true);
      expect(await b.stores.apiTokens.deleteById(1, t.id)).toBe(false);
      expect(await b.stores.apiTokens.deleteForUser(1)).toBe(1);
      expect(await b.stores.apiTokens.findByDigest(other.digest)).not.toBeNull();
    });

    it('deletes expired tokens in batches and never one without expiry', async () => {
      for (let i = 0; i < 12; i++) await b.stores.apiTokens.create(apiToken({ expiresAt: T0 - i }));
      const forever = apiToken({ expiresAt: null });
      const live = apiToken({ expiresAt: T0 + 1 });
      await b.stores.apiTokens.create(forever);
      await b.stores.apiTokens.create(live);
      expect(await b.stores.apiTokens.deleteExpired(T0, 5)).toBe(5);
      expect(await b.stores.apiTokens.deleteExpired(T0, 5)).toBe(5);
      expect(await b.stores.apiTokens.deleteExpired(T0, 5)).toBe(2);
      expect(await b.stores.apiTokens.deleteExpired(T0, 5)).toBe(0);
      expect((await b.stores.apiTokens.listForUser(1)).map((t) => t.id).sort()).toEqual(
        [forever.id, live.id].sort(),
      );
    });

    it('creates within the limit, counting only live tokens of that user', async () => {
      await b.stores.apiTokens.create(apiToken({ expiresAt: T0 - 1 })); // expired: does not count
      await b.stores.apiTokens.create(apiToken({ userId: 2 })); // someone else's
      expect(await b.stores.apiTokens.createWithinLimit(apiToken(), 2, T0)).toBe(true);
      const second = apiToken({ scopes: ['read'], expiresAt: T0 + DAY });
      expect(await b.stores.apiTokens.createWithinLimit(second, 2, T0)).toBe(true);
      expect(await b.stores.apiTokens.findByDigest(second.digest)).toEqual(second);
      const third = apiToken();
      expect(await b.stores.apiTokens.createWithinLimit(third, 2, T0)).toBe(false);
      expect(await b.stores.apiTokens.findByDigest(third.digest)).toBeNull();
      // Once one expires, there is room again.
      expect(await b.stores.apiTokens.createWithinLimit(third, 2, T0 + DAY)).toBe(true);
    });

    it('never passes the limit under concurrent creation, across instances', async () => {
      const other = await b.current.peer();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 ? other : b.stores).apiTokens.createWithinLimit(apiToken(), 5, T0),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(5);
      expect(await b.stores.apiTokens.listForUser(1)).toHaveLength(5);
    });

    it('at the limit, retires the least recently used live tokens (never used: by creation) to make room', async () => {
      const stale = apiToken({ createdAt: T0 - 3 * DAY, lastUsedAt: T0 - 2 * DAY, expiresAt: T0 + DAY });
      const fresh = apiToken({ createdAt: T0 - 4 * DAY, lastUsedAt: T0 - MINUTE });
      const unused = apiToken({ createdAt: T0 - DAY });
      const expired = apiToken({ createdAt: T0 - 9 * DAY, expiresAt: T0 - 1 }); // does not count
      for (const t of [stale, fresh, unused, expired]) await b.stores.apiTokens.create(t);
      await b.stores.apiTokens.create(apiToken({ userId: 2, createdAt: T0 - 9 * DAY })); // someone else's

      const first = apiToken({ createdAt: T0 });
      expect(await b.stores.apiTokens.createRetiringLeastRecent(first, 3, T0)).toEqual([stale]);
      expect(await b.stores.apiTokens.findByDigest(first.digest)).toEqual(first);
      const second = apiToken({ createdAt: T0 + 1 });
      expect(await b.stores.apiTokens.createRetiringLeastRecent(second, 3, T0 + 1)).toEqual([unused]);
      // Below the limit nothing is retired; a lower limit retires as many as it takes.
      expect(
        await b.stores.apiTokens.createRetiringLeastRecent(apiToken({ createdAt: T0 + 2 }), 9, T0 + 2),
      ).toEqual([]);
      const retired = await b.stores.apiTokens.createRetiringLeastRecent(
        apiToken({ createdAt: T0 + 3 }),
        2,
        T0 + 3,
      );
      expect(retired.map((t) => t.id).sort()).toEqual([fresh.id, first.id, second.id].sort());
      const live = (await b.stores.apiTokens.listForUser(1)).filter(
        (t) => t.expiresAt === null || t.expiresAt > T0,
      );
      expect(live).toHaveLength(2);
      expect(await b.stores.apiTokens.listForUser(2)).toHaveLength(1);
    });

    it('never passes the limit when retiring under concurrent creation, across instances', async () => {
      const other = await b.current.peer();
      for (let i = 0; i < 5; i++) await b.stores.apiTokens.create(apiToken({ createdAt: T0 - DAY + i }));
      const made = Array.from({ length: 20 }, (_, i) => apiToken({ createdAt: T0 + i }));
      const results = await Promise.all(
        made.map((t, i) => (i % 2 ? other : b.stores).apiTokens.createRetiringLeastRecent(t, 5, T0 + i)),
      );
      // Every creation stored its token, each row was retired once, and five are left.
      expect(results.flat()).toHaveLength(20);
      expect(new Set(results.flat().map((t) => t.id)).size).toBe(20);
      expect(await b.stores.apiTokens.listForUser(1)).toHaveLength(5);
    });

    it('a revoked token is gone for another instance on its next lookup', async () => {
      const t = apiToken();
      await b.stores.apiTokens.create(t);
      const other = await b.current.peer();
      expect(await other.apiTokens.findByDigest(t.digest)).not.toBeNull();
      await b.stores.apiTokens.deleteById(1, t.id);
      expect(await other.apiTokens.findByDigest(t.digest)).toBeNull();
    });
  },
  holding('apiTokens'),
);
