import { expect, it } from 'vitest';
import { UniqueViolation } from '../../src/stores/errors.js';
import { describeBackends, holding, perTest } from './backends.js';
import { T0 } from './fixtures.js';

describeBackends(
  'UserStore',
  (backend) => {
    const b = perTest(backend);
    const newUser = (username: string) => ({ username, passwordHash: '$argon2id$x', dateJoined: T0 });

    it('creates a user with defaults and finds it by id and by username', async () => {
      const created = await b.stores.users.create(newUser('alice'));
      expect(created).toEqual({
        id: expect.any(Number),
        username: 'alice',
        email: '',
        passwordHash: '$argon2id$x',
        isActive: true,
        isAdmin: false,
        dateJoined: T0,
        lastLogin: null,
        tokensValidAfter: null,
        emailVerified: false,
      });
      expect(await b.stores.users.findById(created.id)).toEqual(created);
      expect(await b.stores.users.findByUsername('alice')).toEqual(created);
    });

    it('returns null for an unknown id or username', async () => {
      expect(await b.stores.users.findById(424242)).toBeNull();
      expect(await b.stores.users.findByUsername('nobody')).toBeNull();
    });

    it('keeps explicit email and flags', async () => {
      const u = await b.stores.users.create({
        ...newUser('root'),
        email: 'r@example.com',
        isActive: false,
        isAdmin: true,
      });
      expect(await b.stores.users.findById(u.id)).toMatchObject({
        email: 'r@example.com',
        isActive: false,
        isAdmin: true,
      });
    });

    it('finds users by email ignoring case, and sets an address with its verified flag', async () => {
      const users = b.stores.users;
      const ann = await users.create({ ...newUser('ann'), email: 'Ann@Example.com', emailVerified: true });
      const twin = await users.create({ ...newUser('ann2'), email: 'ann@example.com' });
      await users.create({ ...newUser('nobody') });
      expect(ann.emailVerified).toBe(true);
      expect((await users.findByEmail!('ANN@example.COM')).map((u) => u.id)).toEqual([ann.id, twin.id]);
      // An empty address is "none", never a match for every user without one.
      expect(await users.findByEmail!('')).toEqual([]);
      await users.setEmail!(twin.id, 'new@example.com', true);
      expect(await users.findById(twin.id)).toMatchObject({ email: 'new@example.com', emailVerified: true });
      expect((await users.findByEmail!('ann@example.com')).map((u) => u.id)).toEqual([ann.id]);
    });

    it('lists the addresses several users share, ignoring case, with their ids', async () => {
      const users = b.stores.users;
      const a = await users.create({ ...newUser('a1'), email: 'Same@example.com' });
      const c = await users.create({ ...newUser('a2'), email: 'same@EXAMPLE.com' });
      await users.create({ ...newUser('a3'), email: 'own@example.com' });
      await users.create({ ...newUser('a4') });
      await users.create({ ...newUser('a5') });
      expect(await users.sharedEmails!(10)).toEqual([{ email: 'same@example.com', ids: [a.id, c.id] }]);
      expect(await users.sharedEmails!(0)).toEqual([]);
    });

    it('with uniqueEmail, gives an address (ignoring case) to one of many users created at once', async () => {
      const users = b.stores.users;
      const tries = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          users.create({
            ...newUser(`racer${i}`),
            email: i % 2 ? 'Race@Example.com' : 'race@example.com',
            uniqueEmail: true,
          }),
        ),
      );
      const made = tries.filter((t) => t.status === 'fulfilled');
      expect(made).toHaveLength(1);
      for (const t of tries) {
        if (t.status === 'rejected')
          expect(t.reason).toMatchObject({ name: 'UniqueViolation', field: 'email' });
      }
      expect(await users.findByEmail!('race@example.com')).toHaveLength(1);
      // Without it, an address may be shared (email.unique off, or an app's own rule).
      await users.create({ ...newUser('twin'), email: 'race@example.com' });
      expect(await users.findByEmail!('race@example.com')).toHaveLength(2);
    });

    it('with unique, sets an address no other user has, and refuses one another user has', async () => {
      const users = b.stores.users;
      const ann = await users.create({ ...newUser('ann'), email: 'ann@example.com' });
      const bob = await users.create({ ...newUser('bob'), email: 'bob@example.com' });
      const err = await users.setEmail!(bob.id, 'ANN@example.com', true, true).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'UniqueViolation', field: 'email' });
      expect(await users.findById(bob.id)).toMatchObject({ email: 'bob@example.com', emailVerified: false });
      // Its own address again (a verification), and a free one, are fine.
      await users.setEmail!(ann.id, 'Ann@example.com', true, true);
      await users.setEmail!(bob.id, 'robert@example.com', true, true);
      expect(await users.findById(bob.id)).toMatchObject({
        email: 'robert@example.com',
        emailVerified: true,
      });
      // Two users moving to one free address at once: one gets it.
      const moves = await Promise.allSettled(
        [ann.id, bob.id].map((id) => users.setEmail!(id, 'shared@example.com', true, true)),
      );
      expect(moves.filter((m) => m.status === 'fulfilled')).toHaveLength(1);
      expect(await users.findByEmail!('shared@example.com')).toHaveLength(1);
    });

    it('gives each user a distinct id', async () => {
      const ids = new Set<number>();
      for (const name of ['a', 'b', 'c', 'd']) ids.add((await b.stores.users.create(newUser(name))).id);
      expect(ids.size).toBe(4);
    });

    it('refuses a taken username with UniqueViolation(username)', async () => {
      await b.stores.users.create(newUser('bob'));
      const err = await b.stores.users.create(newUser('bob')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UniqueViolation);
      expect((err as UniqueViolation).field).toBe('username');
      expect(await b.stores.users.count()).toBe(1);
    });

    it('matches usernames exactly and case-sensitively, as Django does', async () => {
      const upper = await b.stores.users.create(newUser('Carol'));
      expect(await b.stores.users.findByUsername('carol')).toBeNull();
      const lower = await b.stores.users.create(newUser('carol'));
      expect(lower.id).not.toBe(upper.id);
    });

    it('updates password, active flag, last login and tokensValidAfter', async () => {
      const u = await b.stores.users.create(newUser('dave'));
      await b.stores.users.setPassword(u.id, '$argon2id$new');
      await b.stores.users.setActive(u.id, false);
      await b.stores.users.setLastLogin(u.id, T0 + 5);
      await b.stores.users.setTokensValidAfter(u.id, T0 + 9);
      expect(await b.stores.users.findById(u.id)).toMatchObject({
        passwordHash: '$argon2id$new',
        isActive: false,
        lastLogin: T0 + 5,
        tokensValidAfter: T0 + 9,
      });
      await b.stores.users.setActive(u.id, true);
      expect((await b.stores.users.findById(u.id))?.isActive).toBe(true);
    });

    it('counts users', async () => {
      expect(await b.stores.users.count()).toBe(0);
      await b.stores.users.create(newUser('e1'));
      await b.stores.users.create(newUser('e2'));
      expect(await b.stores.users.count()).toBe(2);
    });

    it('lists users a page at a time, by ascending id', async () => {
      const list = b.stores.users.list!.bind(b.stores.users);
      expect(await list({ limit: 10 })).toEqual([]);
      const made = [];
      for (const name of ['u1', 'u2', 'u3', 'u4', 'u5'])
        made.push(await b.stores.users.create(newUser(name)));
      const first = await list({ limit: 2 });
      expect(first).toEqual(made.slice(0, 2));
      const second = await list({ afterId: first[1]!.id, limit: 2 });
      expect(second.map((u) => u.username)).toEqual(['u3', 'u4']);
      const last = await list({ afterId: second[1]!.id, limit: 2 });
      expect(last.map((u) => u.username)).toEqual(['u5']);
      expect(await list({ afterId: last[0]!.id, limit: 2 })).toEqual([]);
    });

    it('hands out copies: mutating a returned record changes nothing stored', async () => {
      const u = await b.stores.users.create(newUser('frank'));
      u.isAdmin = true;
      const found = await b.stores.users.findById(u.id);
      if (found) found.passwordHash = '';
      expect(await b.stores.users.findById(u.id)).toMatchObject({
        isAdmin: false,
        passwordHash: '$argon2id$x',
      });
    });

    it('shows a change made through another instance on the next read', async () => {
      const u = await b.stores.users.create(newUser('gina'));
      const other = await b.current.peer();
      await other.users.setTokensValidAfter(u.id, T0 + 1);
      expect((await b.stores.users.findById(u.id))?.tokensValidAfter).toBe(T0 + 1);
    });
  },
  holding('users'),
);
