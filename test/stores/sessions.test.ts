import { expect, it } from 'vitest';
import { UniqueViolation } from '../../src/stores/errors.js';
import { describeBackends, holding, perTest } from './backends.js';
import { DAY, drain, MINUTE, session, T0 } from './fixtures.js';

describeBackends(
  'SessionStore',
  (backend) => {
    const b = perTest(backend);

    it('stores a session and finds it by digest, data included', async () => {
      const s = session({ data: { cart: [1, 2], nested: { ok: true } } });
      await b.stores.sessions.create(s);
      expect(await b.stores.sessions.findByDigest(s.digest)).toEqual(s);
      expect(await b.stores.sessions.findByDigest('0'.repeat(64))).toBeNull();
    });

    it('refuses a second session with the same digest', async () => {
      const s = session();
      await b.stores.sessions.create(s);
      await expect(b.stores.sessions.create(session({ digest: s.digest }))).rejects.toBeInstanceOf(
        UniqueViolation,
      );
    });

    it('touches last seen and saves data', async () => {
      const s = session();
      await b.stores.sessions.create(s);
      await b.stores.sessions.touch(s.digest, T0 + MINUTE);
      await b.stores.sessions.saveData(s.digest, { theme: 'dark' });
      expect(await b.stores.sessions.findByDigest(s.digest)).toMatchObject({
        lastSeenAt: T0 + MINUTE,
        data: { theme: 'dark' },
      });
    });

    it('deletes by digest once', async () => {
      const s = session();
      await b.stores.sessions.create(s);
      expect(await b.stores.sessions.deleteByDigest(s.digest)).toBe(true);
      expect(await b.stores.sessions.deleteByDigest(s.digest)).toBe(false);
      expect(await b.stores.sessions.findByDigest(s.digest)).toBeNull();
    });

    it("deletes by public id only the owner's session", async () => {
      const s = session({ userId: 1 });
      await b.stores.sessions.create(s);
      expect(await b.stores.sessions.deleteById(2, s.id)).toBe(false);
      expect(await b.stores.sessions.findByDigest(s.digest)).not.toBeNull();
      expect(await b.stores.sessions.deleteById(1, s.id)).toBe(true);
      expect(await b.stores.sessions.findByDigest(s.digest)).toBeNull();
    });

    it('finds a session by its public id alone (the operator revokes by id)', async () => {
      const s = session({ userId: 7, data: { theme: 'dark' } });
      await b.stores.sessions.create(s);
      expect(await b.stores.sessions.findByPublicId(s.id)).toEqual(s);
      expect(await b.stores.sessions.findByPublicId('no-such-id')).toBeNull();
      await b.stores.sessions.deleteById(7, s.id);
      expect(await b.stores.sessions.findByPublicId(s.id)).toBeNull();
    });

    it("lists one user's sessions, newest first", async () => {
      const older = session({ createdAt: T0 });
      const newer = session({ createdAt: T0 + MINUTE });
      await b.stores.sessions.create(older);
      await b.stores.sessions.create(newer);
      await b.stores.sessions.create(session({ userId: 2 }));
      expect((await b.stores.sessions.listForUser(1)).map((s) => s.id)).toEqual([newer.id, older.id]);
      expect(await b.stores.sessions.listForUser(3)).toEqual([]);
    });

    it("deletes every session of a user but the current one, and no one else's", async () => {
      const keep = session();
      await b.stores.sessions.create(keep);
      await b.stores.sessions.create(session());
      await b.stores.sessions.create(session());
      const other = session({ userId: 2 });
      await b.stores.sessions.create(other);
      expect(await b.stores.sessions.deleteForUser(1, keep.digest)).toBe(2);
      expect((await b.stores.sessions.listForUser(1)).map((s) => s.id)).toEqual([keep.id]);
      expect(await b.stores.sessions.findByDigest(other.digest)).not.toBeNull();
      expect(await b.stores.sessions.deleteForUser(1)).toBe(1);
      expect(await b.stores.sessions.listForUser(1)).toEqual([]);
    });

    it('deletes expired sessions (expiresAt <= now) and keeps live ones', async () => {
      const atNow = session({ expiresAt: T0 });
      const past = session({ expiresAt: T0 - 1 });
      const live = session({ expiresAt: T0 + 1 });
      for (const s of [atNow, past, live]) await b.stores.sessions.create(s);
      expect(await b.stores.sessions.deleteExpired(T0, 100)).toBe(2);
      expect(await b.stores.sessions.findByDigest(live.digest)).not.toBeNull();
    });

    it('deletes expired sessions in bounded batches', async () => {
      for (let i = 0; i < 25; i++) await b.stores.sessions.create(session({ expiresAt: T0 - i }));
      await b.stores.sessions.create(session({ expiresAt: T0 + DAY }));
      const batches = await drain(() => b.stores.sessions.deleteExpired(T0, 10));
      expect(batches).toEqual([10, 10, 5, 0]);
      expect(await b.stores.sessions.listForUser(1)).toHaveLength(1);
    });

    it('a logout through one instance is seen by another on its next lookup', async () => {
      const s = session();
      await b.stores.sessions.create(s);
      const other = await b.current.peer();
      expect(await other.sessions.findByDigest(s.digest)).not.toBeNull();
      await b.stores.sessions.deleteByDigest(s.digest);
      expect(await other.sessions.findByDigest(s.digest)).toBeNull();
    });
  },
  holding('sessions'),
);
