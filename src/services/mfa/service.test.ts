import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { TEST_SECRET, testContext } from '../../../test/helpers/gatehouse.js';
import { ManualClock } from '../../core/clock.js';
import { Conflict, ValidationError } from '../../core/errors.js';
import { createAuthRequest } from '../../core/request.js';
import { createThrottle } from '../../core/throttle/throttle.js';
import { createMemoryStores } from '../../stores/memory/index.js';
import type { Stores } from '../../stores/types.js';
import { createMfa } from './service.js';

const req = createAuthRequest({ method: 'POST', url: '/', headers: {}, ip: '203.0.113.9' });
const OTHER_SECRET = 'another-secret-key-of-more-than-32-characters';

function build(
  stores: Stores,
  clock: ManualClock,
  keys: { secretKey: string; secretKeyFallbacks?: string[] },
) {
  const ctx = testContext(keys, { stores, clock });
  return createMfa({ ctx, throttle: createThrottle(ctx) });
}

const codeAt = (secret: string, clock: ManualClock) =>
  generate({ secret, epoch: Math.floor(clock.now() / 1000) });

describe('createMfa', () => {
  async function setup() {
    const stores = createMemoryStores();
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const user = await stores.users.create({ username: 'alice', passwordHash: '', dateJoined: clock.now() });
    return { stores, clock, user, mfa: build(stores, clock, { secretKey: TEST_SECRET }) };
  }

  it('stores the TOTP secret sealed, never as the app shows it', async () => {
    const { stores, user, mfa } = await setup();
    const { secret, otpauth_url } = await mfa.setupTotp(user);
    expect(otpauth_url).toContain(`secret=${secret}`);
    const row = await stores.mfa.getTotp(user.id);
    expect(row?.secret).not.toContain(secret);
    expect(row?.confirmed).toBe(false);
  });

  it('keeps working after a key rotation that lists the old key as a fallback, and not without it', async () => {
    const { stores, clock, user, mfa } = await setup();
    const { secret } = await mfa.setupTotp(user);
    await mfa.confirmTotp(user, await codeAt(secret, clock), req, 'session');
    clock.advance(30_000);
    const rotated = build(stores, clock, { secretKey: OTHER_SECRET, secretKeyFallbacks: [TEST_SECRET] });
    expect(await rotated.checkCode(user, await codeAt(secret, clock), req, 'jwt')).toBe(true);
    clock.advance(30_000);
    const dropped = build(stores, clock, { secretKey: OTHER_SECRET });
    expect(await dropped.checkCode(user, await codeAt(secret, clock), req, 'jwt')).toBe(false);
  });

  it('refuses a wrong first code, a second setup while on, and new recovery codes while off', async () => {
    const { clock, user, mfa } = await setup();
    await expect(mfa.regenerateRecoveryCodes(user, req, 'session')).rejects.toBeInstanceOf(Conflict);
    const { secret } = await mfa.setupTotp(user);
    await expect(mfa.confirmTotp(user, '000000', req, 'session')).rejects.toBeInstanceOf(ValidationError);
    expect(await mfa.status(user.id)).toEqual({ totp: false, passkeys: [], recovery_codes_left: 0 });
    const codes = await mfa.confirmTotp(user, await codeAt(secret, clock), req, 'session');
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(await mfa.status(user.id)).toEqual({ totp: true, passkeys: [], recovery_codes_left: 10 });
    await expect(mfa.setupTotp(user)).rejects.toMatchObject({ code: 'mfa_already_enabled' });
    const fresh = await mfa.regenerateRecoveryCodes(user, req, 'session');
    expect(await mfa.checkCode(user, codes[0]!, req, 'session')).toBe(false);
    expect(await mfa.checkCode(user, fresh[0]!, req, 'session')).toBe(true);
    expect(await mfa.disable(user, req, 'session')).toBe(true);
    expect(await mfa.status(user.id)).toEqual({ totp: false, passkeys: [], recovery_codes_left: 0 });
  });
});
