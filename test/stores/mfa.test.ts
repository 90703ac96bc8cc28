import { expect, it } from 'vitest';
import { describeBackends, holding, perTest } from './backends.js';
import { digestOf, MINUTE, T0 } from './fixtures.js';

describeBackends(
  'MfaStore',
  (backend) => {
    const b = perTest(backend);
    const totp = (confirmed = false) => ({ userId: 7, secret: 'sealed', confirmed, createdAt: T0 });

    it('keeps a TOTP unconfirmed until confirmed once, and replaces it on a new setup', async () => {
      const mfa = b.stores.mfa;
      expect(await mfa.getTotp(7)).toBeNull();
      expect(await mfa.confirmTotp(7)).toBe(false);
      await mfa.setTotp(totp());
      expect(await mfa.getTotp(7)).toEqual(totp());
      expect(await mfa.confirmTotp(7)).toBe(true);
      expect(await mfa.confirmTotp(7)).toBe(false);
      expect(await mfa.getTotp(7)).toEqual(totp(true));
      await mfa.setTotp({ ...totp(), secret: 'other', createdAt: T0 + 1 });
      expect(await mfa.getTotp(7)).toEqual({ ...totp(), secret: 'other', createdAt: T0 + 1 });
    });

    it('spends each recovery code once, and a new set replaces the old one', async () => {
      const mfa = b.stores.mfa;
      await mfa.replaceRecoveryCodes(7, [digestOf('a'), digestOf('b')], T0);
      expect(await mfa.countRecoveryCodes(7)).toBe(2);
      expect(await mfa.useRecoveryCode(8, digestOf('a'))).toBe(false);
      const both = await Promise.all([
        mfa.useRecoveryCode(7, digestOf('a')),
        mfa.useRecoveryCode(7, digestOf('a')),
      ]);
      expect(both.sort()).toEqual([false, true]);
      expect(await mfa.countRecoveryCodes(7)).toBe(1);
      await mfa.replaceRecoveryCodes(7, [digestOf('c')], T0);
      expect(await mfa.useRecoveryCode(7, digestOf('b'))).toBe(false);
      expect(await mfa.useRecoveryCode(7, digestOf('c'))).toBe(true);
      expect(await mfa.countRecoveryCodes(7)).toBe(0);
    });

    it('accepts a TOTP step once per user, also when two servers race', async () => {
      const peer = await b.current.peer();
      const both = await Promise.all([
        b.stores.mfa.useTotpStep(7, 100, T0 + MINUTE),
        peer.mfa.useTotpStep(7, 100, T0 + MINUTE),
      ]);
      expect(both.sort()).toEqual([false, true]);
      expect(await b.stores.mfa.useTotpStep(8, 100, T0 + MINUTE)).toBe(true);
      expect(await b.stores.mfa.useTotpStep(7, 101, T0 + MINUTE)).toBe(true);
    });

    it('hands a challenge out once, and never once expired', async () => {
      const mfa = b.stores.mfa;
      const c = { digest: digestOf('t'), userId: 7, purpose: '/api/token/', expiresAt: T0 + MINUTE };
      await mfa.createChallenge(c);
      expect(await mfa.takeChallenge(c.digest, T0)).toEqual(c);
      expect(await mfa.takeChallenge(c.digest, T0)).toBeNull();
      await mfa.createChallenge({ ...c, digest: digestOf('u') });
      expect(await mfa.takeChallenge(digestOf('u'), T0 + MINUTE)).toBeNull();
    });

    it('keeps passkeys per user, moves a counter only from the value read, and removes one or all', async () => {
      const mfa = b.stores.mfa;
      const key = (id: string, userId: number, createdAt: number) => ({
        id,
        userId,
        name: `key ${id}`,
        publicKey: 'pQECAyYgASFYIA',
        counter: 0,
        transports: ['internal', 'hybrid'],
        createdAt,
        lastUsedAt: null,
      });
      await mfa.addPasskey(key('b', 7, T0 + 1));
      await mfa.addPasskey(key('a', 7, T0));
      await mfa.addPasskey(key('c', 8, T0));
      await expect(mfa.addPasskey(key('a', 8, T0))).rejects.toMatchObject({ name: 'UniqueViolation' });
      expect((await mfa.listPasskeys(7)).map((p) => p.id)).toEqual(['a', 'b']);
      expect(await mfa.getPasskey('a')).toEqual(key('a', 7, T0));
      expect(await mfa.getPasskey('z')).toBeNull();
      const peer = await b.current.peer();
      const both = await Promise.all([
        mfa.usePasskey('a', 0, 5, T0 + 9),
        peer.mfa.usePasskey('a', 0, 5, T0 + 9),
      ]);
      expect(both.sort()).toEqual([false, true]);
      expect(await mfa.getPasskey('a')).toMatchObject({ counter: 5, lastUsedAt: T0 + 9 });
      expect(await mfa.deletePasskey(8, 'a')).toBe(false);
      expect(await mfa.deletePasskey(7, 'a')).toBe(true);
      expect(await mfa.deletePasskey(7, 'a')).toBe(false);
      await mfa.deleteForUser(7);
      expect(await mfa.listPasskeys(7)).toEqual([]);
      expect((await mfa.listPasskeys(8)).map((p) => p.id)).toEqual(['c']);
    });

    it('deletes every factor of a user, and the expired steps and challenges in batches', async () => {
      const mfa = b.stores.mfa;
      await mfa.setTotp(totp(true));
      await mfa.replaceRecoveryCodes(7, [digestOf('a')], T0);
      await mfa.useTotpStep(7, 1, T0 + MINUTE);
      await mfa.useTotpStep(7, 2, T0 + MINUTE);
      await mfa.useTotpStep(9, 1, T0 + 5 * MINUTE);
      await mfa.createChallenge({ digest: digestOf('x'), userId: 9, purpose: 'p', expiresAt: T0 + MINUTE });
      expect(await mfa.deleteExpired(T0 + MINUTE, 2)).toBe(2);
      expect(await mfa.deleteExpired(T0 + MINUTE, 10)).toBe(1);
      expect(await mfa.deleteExpired(T0 + MINUTE, 10)).toBe(0);
      expect(await mfa.useTotpStep(9, 1, T0 + 5 * MINUTE)).toBe(false);
      expect(await mfa.deleteForUser(7)).toBe(true);
      expect(await mfa.deleteForUser(7)).toBe(false);
      expect(await mfa.getTotp(7)).toBeNull();
      expect(await mfa.countRecoveryCodes(7)).toBe(0);
    });
  },
  holding('mfa'),
);
