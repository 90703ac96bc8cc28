import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/helpers/gatehouse.js';
import { ReauthenticationRequired } from '../../core/errors.js';
import type { AuthResult } from '../../core/scheme.js';
import { assertRecentAuth } from './recent-auth.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

async function setup(stepUp: 'mfa' | 'everyone', withTotp: boolean) {
  const ctx = testContext({ mfa: { stepUp, recentAuthSeconds: 300 } }, { now: T0 });
  const { clock, stores } = ctx;
  const user = await stores.users.create({ username: 'alice', passwordHash: '', dateJoined: T0 });
  if (withTotp)
    await stores.mfa.setTotp({ userId: user.id, secret: 'sealed', confirmed: true, createdAt: T0 });
  const as = (scheme: string, auth: unknown) => ({ user, scheme, auth }) as unknown as AuthResult;
  const refused = (auth: AuthResult) =>
    assertRecentAuth(ctx, auth).then(
      () => false,
      (e) => e instanceof ReauthenticationRequired,
    );
  return { clock, as, refused };
}

describe('assertRecentAuth', () => {
  it('counts a session from its start and a JWT from auth_time, within recentAuthSeconds', async () => {
    const { clock, as, refused } = await setup('everyone', false);
    clock.advance(300_000);
    expect(await refused(as('session', { createdAt: T0 }))).toBe(false);
    expect(await refused(as('jwt', { auth_time: T0 / 1000 }))).toBe(false);
    clock.advance(1);
    expect(await refused(as('session', { createdAt: T0 }))).toBe(true);
    expect(await refused(as('jwt', { auth_time: T0 / 1000 }))).toBe(true);
  });

  it('never counts an API token or a JWT without auth_time; Basic checked the password just now', async () => {
    const { as, refused } = await setup('everyone', false);
    expect(await refused(as('token', { id: 't' }))).toBe(true);
    expect(await refused(as('jwt', { iat: T0 / 1000 }))).toBe(true);
    expect(await refused(as('basic', null))).toBe(false);
  });

  it("with stepUp 'mfa', asks only users with a second factor", async () => {
    const off = await setup('mfa', false);
    expect(await off.refused(off.as('token', { id: 't' }))).toBe(false);
    const on = await setup('mfa', true);
    expect(await on.refused(on.as('token', { id: 't' }))).toBe(true);
  });
});
