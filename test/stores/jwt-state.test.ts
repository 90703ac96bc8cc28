import { describe, expect, it } from 'vitest';
import type { JwtStateStore, RotateResult, SpendResult } from '../../src/stores/types.js';
import { describeBackends, holding, perTest } from './backends.js';
import { DAY, drain, refresh, T0 } from './fixtures.js';

const statuses = (results: (SpendResult | RotateResult)[]): Record<string, number> => {
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

    describe('rotate (the refresh endpoint’s spend, with the reuse grace window)', () => {
      const GRACE = 10_000;
      const rotate = (store: JwtStateStore, jti: string, now: number, graceMs = GRACE) => {
        const successor = refresh({ issuedAt: now, expiresAt: now + DAY });
        if (!store.rotate) throw new Error('every shipped store implements rotate');
        return store.rotate(jti, now, { jti: successor.jti, issuedAt: now, expiresAt: now + DAY }, graceMs);
      };
      const successorOf = (r: RotateResult) => (r.status === 'replayed' ? r.successor : undefined);

      it('spends the token and records the successor in its family, in one step', async () => {
        const t = refresh();
        await b.stores.jwtState.recordOutstanding(t);
        const next = { jti: 'successor-1', issuedAt: T0 + 5, expiresAt: T0 + DAY + 5 };
        expect(await b.stores.jwtState.rotate?.(t.jti, T0 + 5, next, GRACE)).toEqual({
          status: 'spent',
          token: t,
        });
        expect(await b.stores.jwtState.refreshState(t.jti)).toBe('spent');
        expect(await b.stores.jwtState.refreshState(next.jti)).toBe('outstanding');
        await b.stores.jwtState.revokeFamily(t.familyId, T0 + 6);
        expect(await b.stores.jwtState.refreshState(next.jti)).toBe('revoked');
      });

      it('20 concurrent presentations across instances: one rotation, every other caller the same successor', async () => {
        const t = refresh();
        await b.stores.jwtState.recordOutstanding(t);
        const other = await b.current.peer();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => rotate((i % 2 ? other : b.stores).jwtState, t.jti, T0 + i)),
        );
        expect(statuses(results)).toEqual({ spent: 1, replayed: 19 });
        const heads = new Set(results.map((r) => successorOf(r)?.jti).filter((j) => j !== undefined));
        expect(heads.size).toBe(1);
        const head = [...heads][0] as string;
        const replayed = results.find((r) => r.status === 'replayed');
        expect(successorOf(replayed as RotateResult)).toMatchObject({
          jti: head,
          userId: t.userId,
          familyId: t.familyId,
          expiresAt: expect.any(Number),
        });
        // The successor is the live head: it rotates once, like any outstanding token.
        expect((await rotate(b.stores.jwtState, head, T0 + 30)).status).toBe('spent');
      });

      it('hands out the identical successor (jti, issue and expiry) to a replay inside the window', async () => {
        const t = refresh();
        await b.stores.jwtState.recordOutstanding(t);
        const next = { jti: 'successor-2', issuedAt: T0 + 1, expiresAt: T0 + 1 + DAY };
        await b.stores.jwtState.rotate?.(t.jti, T0 + 1, next, GRACE);
        const replay = await rotate(b.stores.jwtState, t.jti, T0 + 1 + GRACE - 1);
        expect(replay).toEqual({
          status: 'replayed',
          token: t,
          successor: { ...next, userId: t.userId, familyId: t.familyId },
        });
        expect(await b.stores.jwtState.refreshState(next.jti)).toBe('outstanding');
      });

      it('is reuse once the window has passed', async () => {
        const t = refresh();
        await b.stores.jwtState.recordOutstanding(t);
        expect((await rotate(b.stores.jwtState, t.jti, T0)).status).toBe('spent');
        expect(await rotate(b.stores.jwtState, t.jti, T0 + GRACE)).toEqual({ status: 'reused', token: t });
      });

      it('is reuse once the successor has been spent itself, even inside the window', async () => {
        const t = refresh();
        await b.stores.jwtState.recordOutstanding(t);
        await rotate(b.stores.jwtState, t.jti, T0);
        const first = await rotate(b.stores.jwtState, t.jti, T0 + 1);
        const head = successorOf(first)?.jti as string;
        expect((await rotate(b.stores.jwtState, head, T0 + 2)).status).toBe('spent');
        expect(await rotate(b.stores.jwtState, t.jti, T0 + 3)).toEqual({ status: 'reused', token: t });
      });

      it('is reuse when the successor was blacklisted, and revoked when the family was', async () => {
        const t = refresh();
        await b.stores.jwtState.recordOutstanding(t);
        await rotate(b.stores.jwtState, t.jti, T0);
        const head = successorOf(await rotate(b.stores.jwtState, t.jti, T0 + 1)) as {
          jti: string;
          expiresAt: number;
        };
        await b.stores.jwtState.blacklist(head.jti, head.expiresAt, T0 + 2);
        expect((await rotate(b.stores.jwtState, t.jti, T0 + 3)).status).toBe('reused');
        await b.stores.jwtState.revokeFamily(t.familyId, T0 + 4);
        expect(await rotate(b.stores.jwtState, t.jti, T0 + 5)).toEqual({ status: 'revoked' });
      });

      it('grace 0 is plain spending: a second presentation is reuse at once', async () => {
        const t = refresh();
        await b.stores.jwtState.recordOutstanding(t);
        expect((await rotate(b.stores.jwtState, t.jti, T0, 0)).status).toBe('spent');
        expect(await rotate(b.stores.jwtState, t.jti, T0, 0)).toEqual({ status: 'reused', token: t });
        const many = refresh();
        await b.stores.jwtState.recordOutstanding(many);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => rotate(b.stores.jwtState, many.jti, T0 + i, 0)),
        );
        expect(statuses(results)).toEqual({ spent: 1, reused: 19 });
      });

      it('reports unknown and blacklisted tokens as spend does, recording nothing', async () => {
        const next = { jti: 'never-recorded', issuedAt: T0, expiresAt: T0 + DAY };
        expect(await b.stores.jwtState.rotate?.('never-issued', T0, next, GRACE)).toEqual({
          status: 'unknown',
        });
        await b.stores.jwtState.blacklist('foreign', T0 + DAY, T0);
        expect(await b.stores.jwtState.rotate?.('foreign', T0, next, GRACE)).toEqual({ status: 'revoked' });
        expect(await b.stores.jwtState.refreshState(next.jti)).toBe('unknown');
      });
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
