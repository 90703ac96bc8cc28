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
