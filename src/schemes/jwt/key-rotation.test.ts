import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import { JwtKeyError } from '../../core/errors.js';
import type { KeysFile } from '../../crypto/jwt/jwks-file.js';
import { addSigningKey, retirementDelayMs, rotateSigningKey } from './key-rotation.js';

const jwtOf = (jwt: Record<string, unknown>) => resolveConfig({ secretKey: 's'.repeat(40), jwt }).jwt;
const NOW = new Date('2026-03-01T00:00:00.000Z');
const DAY = 86400_000;

describe('JWT key rotation (the library policy behind `gatehouse keys`)', () => {
  it('keeps a retired key verifying for the longest token lifetime plus leeway', () => {
    expect(retirementDelayMs(jwtOf({ accessTokenLifetime: '5m', refreshTokenLifetime: '1d' }))).toBe(DAY);
    expect(
      retirementDelayMs(
        jwtOf({
          refreshTokenLifetime: '1d',
          authTokenTypes: ['access', 'sliding'],
          slidingTokenRefreshLifetime: '3d',
          leeway: 10,
        }),
      ),
    ).toBe(3 * DAY + 10_000);
  });

  it('adds a key that signs at once only in a file without a signer', () => {
    const file: KeysFile = { current: null, keys: [] };
    const first = addSigningKey(file, 'ES256', NOW);
    expect(first.signs).toBe(true);
    expect(file.current).toBe(first.key.kid);
    expect(first.key).toMatchObject({ alg: 'ES256', createdAt: NOW.toISOString(), retireAt: null });
    const second = addSigningKey(file, 'EdDSA', NOW);
    expect(second.signs).toBe(false);
    expect(file.current).toBe(first.key.kid);
    expect(file.keys.map((k) => k.kid)).toEqual([first.key.kid, second.key.kid]);
  });

  it('rotates to the pending key, retires the old one, and drops keys whose tokens have expired', () => {
    const file: KeysFile = { current: null, keys: [] };
    const old = addSigningKey(file, 'ES256', NOW).key;
    const pending = addSigningKey(file, 'EdDSA', NOW).key;
    const expired = { ...addSigningKey(file, 'HS256', NOW).key, retireAt: '2026-02-01T00:00:00.000Z' };
    file.keys[2] = expired;
    const rotation = rotateSigningKey(file, jwtOf({ refreshTokenLifetime: '1d' }), { now: NOW });
    expect(rotation.signer.kid).toBe(pending.kid);
    expect(rotation.generated).toBe(false);
    expect(rotation.retired.kid).toBe(old.kid);
    expect(old.retireAt).toBe(new Date(NOW.getTime() + DAY).toISOString());
    expect(rotation.dropped.map((k) => k.kid)).toEqual([expired.kid]);
    expect(file.current).toBe(pending.kid);
    expect(file.keys.map((k) => k.kid)).toEqual([old.kid, pending.kid]);
  });

  it('without a pending key, generates one of the given or the current algorithm', () => {
    const file: KeysFile = { current: null, keys: [] };
    addSigningKey(file, 'HS512', NOW);
    const same = rotateSigningKey(file, jwtOf({}), { now: NOW });
    expect(same).toMatchObject({ generated: true, signer: { alg: 'HS512' } });
    const other = rotateSigningKey(file, jwtOf({}), { now: NOW, alg: 'ES256' });
    expect(other.signer.alg).toBe('ES256');
    expect(file.current).toBe(other.signer.kid);
  });

  it('refuses a file without a signer, and a pending key of another algorithm than asked', () => {
    expect(() => rotateSigningKey({ current: null, keys: [] }, jwtOf({}))).toThrow(JwtKeyError);
    const file: KeysFile = { current: null, keys: [] };
    addSigningKey(file, 'ES256', NOW);
    const pending = addSigningKey(file, 'EdDSA', NOW).key;
    expect(() => rotateSigningKey(file, jwtOf({}), { alg: 'ES256' })).toThrow(
      `the pending key ${pending.kid} is EdDSA, not ES256`,
    );
  });
});
