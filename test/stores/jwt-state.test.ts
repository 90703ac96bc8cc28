import { expect, it } from 'vitest';
import type { SpendResult } from '../../src/stores/types.js';
import { describeBackends, holding, perTest } from './backends.js';
import { DAY, drain, refresh, T0 } from './fixtures.js';

const statuses = (results: SpendResult[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of results) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};

describeBackends(
  'JwtStateStore',
  (backend) => {
    const b = perTest(backend);

    it('spends an outstanding token once, then reports reuse with the token', async () => {
      const t = refresh();
      await b.stores.jwtState.recordOutstanding(t);
      expect(await b.stores.jwtState.spend(t.jti, T0 + 1)).toEqual({ status: 'spent', token: t });
      expect(await b.stores.jwtState.spend(t.jti, T0 + 2)).toEqual({ status: 'reused', token: t });
    });

    it('reports a token it never recorded as unknown', async () => {
      expect(await b.stores.jwtState.spend('never-issued', T0)).toEqual({ status: 'unknown' });
    });

    it('lets exactly one of 50 concurrent spends win, across instances', async () => {
      const t = refresh();
      await b.stores.jwtState.recordOutstanding(t);
      const other = await b.current.peer();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? other : b.stores).jwtState.spend(t.jti, T0 + i)),
      );
      expect(statuses(results)).toEqual({ spent: 1, reused: 49 });
    });

    it('refuses a blacklisted token as revoked, even one it never recorded', async () => {
      const t = refresh();
      await b.stores.jwtState.recordOutstanding(t);
      expect(await b.stores.jwtState.isBlacklisted(t.jti)).toBe(false);
      await b.stores.jwtState.blacklist(t.jti, t.expiresAt, T0);
      await b.stores.jwtState.blacklist(t.jti, t.expiresAt, T0); // idempotent
      expect(await b.stores.jwtState.isBlacklisted(t.jti)).toBe(true);
      expect(await b.stores.jwtState.spend(t.jti, T0)).toEqual({ status: 'revoked' });
      await b.stores.jwtState.blacklist('foreign', T0 + DAY, T0);
      expect(await b.stores.jwtState.spend('foreign', T0)).toEqual({ status: 'revoked' });
    });

    it('theft detection: a replay is reused, and after revokeFamily the whole family is revoked', async () => {
      const first = refresh();
      await b.stores.jwtState.recordOutstanding(first);
      expect((await b.stores.jwtState.spend(first.jti, T0 + 1)).status).toBe('spent');
      const next = refresh({ familyId: first.familyId, issuedAt: T0 + 1 });
      await b.stores.jwtState.recordOutstanding(next);
      const replay = await b.stores.jwtState.spend(first.jti, T0 + 2);
      expect(replay).toEqual({ status: 'reused', token: first });
      await b.stores.jwtState.revokeFamily(first.familyId, T0 + 2);
      await b.stores.jwtState.revokeFamily(first.familyId, T0 + 3); // idempotent
      expect(await b.stores.jwtState.isFamilyRevoked(first.familyId)).toBe(true);
      expect(await b.stores.jwtState.spend(next.jti, T0 + 3)).toEqual({ status: 'revoked' });
      expect(await b.stores.jwtState.spend(first.jti, T0 + 3)).toEqual({ status: 'revoked' });
    });

    it('reads a token’s state without spending it, in spend’s order', async () => {
      const jwt = b.stores.jwtState;
      expect(await jwt.refreshState('never-issued')).toBe('unknown');
      const first = refresh();
      await jwt.recordOutstanding(first);
      expect(await jwt.refreshState(first.jti)).toBe('outstanding');
      expect(await jwt.refreshState(first.jti)).toBe('outstanding');
      expect((await jwt.spend(first.jti, T0 + 1)).status).toBe('spent');
      expect(await jwt.refreshState(first.jti)).toBe('spent');
      const next = refresh({ familyId: first.familyId, issuedAt: T0 + 1 });
      await jwt.recordOutstanding(next);
      await jwt.revokeFamily(first.familyId, T0 + 2);
      expect(await jwt.refreshState(next.jti)).toBe('revoked');
      const other = refresh();
      await jwt.recordOutstanding(other);
      await jwt.blacklist(other.jti, other.expiresAt, T0);
      expect(await jwt.refreshState(other.jti)).toBe('revoked');
      await jwt.blacklist('foreign', T0 + DAY, T0);
      expect(await jwt.refreshState('foreign')).toBe('revoked');
    });

    it('revoking one family leaves the others alone', async () => {
      const a = refresh();
      const other = refresh();
      await b.stores.jwtState.recordOutstanding(a);
      await b.stores.jwtState.recordOutstanding(other);
      await b.stores.jwtState.revokeFamily(a.familyId, T0);
      expect(await b.stores.jwtState.isFamilyRevoked(other.familyId)).toBe(false);
      expect((await b.stores.jwtState.spend(other.jti, T0)).status).toBe('spent');
    });

    it("revokeAllForUser revokes each live family of the user, and only the user's", async () => {
      const f1 = refresh();
      const f1next = refresh({ familyId: f1.familyId });
      const f2 = refresh();
      const expired = refresh({ expiresAt: T0 });
      const someoneElse = refresh({ userId: 2 });
      for (const t of [f1, f1next, f2, expired, someoneElse]) await b.stores.jwtState.recordOutstanding(t);
      expect(await b.stores.jwtState.revokeAllForUser(1, T0)).toBe(2);
      expect(await b.stores.jwtState.revokeAllForUser(1, T0)).toBe(0);
      for (const t of [f1, f1next, f2])
        expect(await b.stores.jwtState.spend(t.jti, T0)).toEqual({ status: 'revoked' });
      expect((await b.stores.jwtState.spend(someoneElse.jti, T0)).status).toBe('spent');
    });

    it('deletes expired outstanding tokens, blacklist entries and orphaned family marks, in batches', async () => {
      const old = refresh({ expiresAt: T0 - 1 });
      const live = refresh({ expiresAt: T0 + DAY });
      await b.stores.jwtState.recordOutstanding(old);
      await b.stores.jwtState.recordOutstanding(live);
      await b.stores.jwtState.revokeFamily(old.familyId, T0 - 2);
      await b.stores.jwtState.revokeFamily(live.familyId, T0 - 2);
      await b.stores.jwtState.blacklist('bl-old', T0, T0 - 5);
      await b.stores.jwtState.blacklist('bl-live', T0 + 1, T0 - 5);
      // Three rows can go: old's outstanding row, bl-old, and old's family mark (then orphaned).
      expect(await b.stores.jwtState.deleteExpired(T0, 2)).toBe(2);
      expect(await b.stores.jwtState.deleteExpired(T0, 2)).toBe(1);
      expect(await b.stores.jwtState.deleteExpired(T0, 2)).toBe(0);
      expect(await b.stores.jwtState.spend(old.jti, T0)).toEqual({ status: 'unknown' });
      expect(await b.stores.jwtState.isBlacklisted('bl-old')).toBe(false);
      expect(await b.stores.jwtState.isBlacklisted('bl-live')).toBe(true);
      expect(await b.stores.jwtState.isFamilyRevoked(old.familyId)).toBe(false);
      expect(await b.stores.jwtState.isFamilyRevoked(live.familyId)).toBe(true);
    });

    it('deletes many expired tokens in bounded batches', async () => {
      for (let i = 0; i < 23; i++) await b.stores.jwtState.recordOutstanding(refresh({ expiresAt: T0 - i }));
      const batches = await drain(() => b.stores.jwtState.deleteExpired(T0, 10));
      expect(batches).toEqual([10, 10, 3, 0]);
    });
  },
  holding('jwtState'),
);
