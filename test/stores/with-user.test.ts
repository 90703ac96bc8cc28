import { expect, it, vi } from 'vitest';
import { apiKeyDigest, generateApiKey } from '../../src/crypto/api-keys.js';
import { StoreUnavailable } from '../../src/stores/errors.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import type { Stores } from '../../src/stores/types.js';
import { makeGatehouse } from '../helpers/gatehouse.js';
import { describeBackends } from './backends.js';
import { apiToken, DAY, session, T0 } from './fixtures.js';

const sql = (backend: { name: string }): boolean => backend.name === 'sqlite' || backend.name === 'postgres';

describeBackends(
  'Credential and user in one read (withUser)',
  (backend) => {
    let stores: Stores;
    let close: () => Promise<void>;
    const open = async () => {
      const opened = await backend.open();
      stores = opened.stores;
      close = () => opened.close();
    };

    it('returns the token or session with its user, names the users store it reads, null when unknown', async () => {
      await open();
      try {
        const user = await stores.users.create({ username: 'ann', passwordHash: 'x', dateJoined: T0 });
        await stores.users.setTokensValidAfter(user.id, T0 + 5);
        const t = apiToken({ userId: user.id, scopes: ['read'], expiresAt: T0 + DAY });
        const s = session({ userId: user.id, data: { cart: [1] } });
        await stores.apiTokens.create(t);
        await stores.sessions.create(s);
        const expected = { ...user, tokensValidAfter: T0 + 5 };

        expect(stores.apiTokens.withUser?.users).toBe(stores.users);
        expect(stores.sessions.withUser?.users).toBe(stores.users);
        expect(await stores.apiTokens.withUser!.findByDigest(t.digest)).toEqual({
          record: t,
          user: expected,
        });
        expect(await stores.sessions.withUser!.findByDigest(s.digest)).toEqual({ record: s, user: expected });
        expect(await stores.apiTokens.withUser!.findByDigest('f'.repeat(64))).toBeNull();
        expect(await stores.sessions.withUser!.findByDigest('f'.repeat(64))).toBeNull();
      } finally {
        await close();
      }
    });

    it('gives a null user for a row whose user does not exist', async () => {
      await open();
      try {
        const t = apiToken({ userId: 987_654 });
        await stores.apiTokens.create(t);
        expect(await stores.apiTokens.withUser!.findByDigest(t.digest)).toEqual({ record: t, user: null });
      } finally {
        await close();
      }
    });

    it('fails closed once the database is gone', async () => {
      await open();
      await stores.close();
      const err = await stores.apiTokens.withUser!.findByDigest('a'.repeat(64)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailable);
      expect((err as StoreUnavailable).store).toBe('apiTokens');
      await close().catch(() => {});
    });

    it('the token and session schemes read once on these stores, and twice with an app’s own users', async () => {
      await open();
      try {
        const t = await makeGatehouse({ authentication: ['session', 'token'] }, { stores });
        const user = await t.user('bob');
        const key = generateApiKey('gat_');
        await stores.apiTokens.create(
          apiToken({ userId: user.id, digest: apiKeyDigest(key), createdAt: t.clock.now(), expiresAt: null }),
        );
        const findById = vi.spyOn(stores.users, 'findById');
        const me = await t.call('GET', '/api/me/', { headers: { authorization: `Token ${key}` } });
        expect(me.status).toBe(200);
        expect(findById).not.toHaveBeenCalled();

        // An application's own UserStore: the join would read the wrong table, so it is not used.
        const own = createMemoryStores().users;
        const mirrored = await own.create({ username: 'bob', passwordHash: 'x', dateJoined: T0 });
        expect(mirrored.id).toBe(user.id);
        const ownFind = vi.spyOn(own, 'findById');
        const byo = await makeGatehouse(
          { authentication: ['session', 'token'] },
          { stores: { ...stores, users: own } },
        );
        const res = await byo.call('GET', '/api/me/', { headers: { authorization: `Token ${key}` } });
        expect(res.status).toBe(200);
        expect(ownFind).toHaveBeenCalledWith(user.id);
      } finally {
        await close();
      }
    });
  },
  sql,
);
