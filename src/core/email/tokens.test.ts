import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../../stores/types.js';
import { resolveConfig } from '../config.js';
import { checkEmailToken, decodeUid, encodeUid, makeEmailToken, parseEmailToken } from './tokens.js';

const SECRET = 'a-secret-key-of-at-least-32-characters!';
const config = resolveConfig({ secretKey: SECRET });
const T0 = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3600;

const ann: UserRecord = {
  id: 7,
  username: 'ann',
  email: 'ann@example.com',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  isActive: true,
  isAdmin: false,
  dateJoined: T0 - 86400_000,
  lastLogin: T0 - 3600_000,
  tokensValidAfter: null,
  emailVerified: false,
};

const check = (
  user: UserRecord,
  token: string,
  now = T0,
  cfg = config,
  purpose: 'reset' | 'verify' = 'reset',
) => {
  const parsed = parseEmailToken(token);
  return parsed !== null && checkEmailToken(cfg, purpose, user, parsed, now, HOUR);
};

describe('reset tokens', () => {
  const token = makeEmailToken(config, 'reset', ann, T0);

  it('work for their user within the timeout', () => {
    expect(token).toMatch(/^[0-9a-z]+-[0-9a-f]{40}$/);
    expect(check(ann, token)).toBe(true);
    expect(check(ann, token, T0 + HOUR * 1000)).toBe(true);
  });

  it('die after use (the password hash changes), after a password change, after a login, and on a new address', () => {
    expect(check({ ...ann, passwordHash: '$argon2id$other' }, token)).toBe(false);
    expect(check({ ...ann, lastLogin: T0 + 1000 }, token)).toBe(false);
    expect(check({ ...ann, email: 'ann@elsewhere.example' }, token)).toBe(false);
  });

  it('die after the timeout', () => {
    expect(check(ann, token, T0 + (HOUR + 1) * 1000)).toBe(false);
  });

  it('do not work for another user, or with one character changed', () => {
    expect(check({ ...ann, id: 8 }, token)).toBe(false);
    const last = token.at(-1) === '0' ? '1' : '0';
    expect(check(ann, token.slice(0, -1) + last)).toBe(false);
    const stamp = token.indexOf('-');
    expect(
      check(ann, `${(Number.parseInt(token.slice(0, stamp), 36) + 1).toString(36)}${token.slice(stamp)}`),
    ).toBe(false);
  });

  it('are one purpose only: a reset token does not verify an address', () => {
    expect(check(ann, token, T0, config, 'verify')).toBe(false);
  });

  it('survive a key rotation through secretKeyFallbacks, and die without it', () => {
    const rotated = resolveConfig({
      secretKey: 'another-secret-key-of-32-characters!!',
      secretKeyFallbacks: [SECRET],
    });
    expect(check(ann, token, T0, rotated)).toBe(true);
    expect(check(ann, token, T0, resolveConfig({ secretKey: 'another-secret-key-of-32-characters!!' }))).toBe(
      false,
    );
  });

  it('refuse anything not shaped like one', () => {
    for (const bad of ['', 'x', '1-2', `${token}-`, `${token} `, token.toUpperCase()]) {
      expect(parseEmailToken(bad) === null || !check(ann, bad)).toBe(true);
    }
  });
});

describe('verification and change tokens', () => {
  it('a verification token dies once the address is verified', () => {
    const token = makeEmailToken(config, 'verify', ann, T0);
    expect(check(ann, token, T0, config, 'verify')).toBe(true);
    expect(check({ ...ann, emailVerified: true }, token, T0, config, 'verify')).toBe(false);
  });

  it('a change token carries its new address, and dies when the address or the password changes', () => {
    const token = makeEmailToken(config, 'change', ann, T0, 'ann@new.example');
    const parsed = parseEmailToken(token)!;
    expect(parsed.newEmail).toBe('ann@new.example');
    expect(checkEmailToken(config, 'change', ann, parsed, T0, HOUR)).toBe(true);
    // Another address swapped in does not carry the signature.
    const forged = parseEmailToken(
      token.replace(/-[^-]+$/, `-${Buffer.from('eve@evil.example').toString('base64url')}`),
    )!;
    expect(checkEmailToken(config, 'change', ann, forged, T0, HOUR)).toBe(false);
    expect(checkEmailToken(config, 'change', { ...ann, email: 'ann@new.example' }, parsed, T0, HOUR)).toBe(
      false,
    );
    expect(checkEmailToken(config, 'change', { ...ann, passwordHash: 'x' }, parsed, T0, HOUR)).toBe(false);
  });
});

describe('uid', () => {
  it('is the id in base64url, as Django encodes it', () => {
    expect(encodeUid(42)).toBe('NDI');
    expect(decodeUid('NDI')).toBe(42);
    for (const bad of ['', '!!', Buffer.from('4x').toString('base64url'), 'A'.repeat(40)]) {
      expect(decodeUid(bad)).toBeNull();
    }
  });
});
