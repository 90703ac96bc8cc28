/**
 * Values no row can hold, as an attacker sends them: a NUL in a username, a token's or session's
 * public id, a jti; a user id past 2^31-1 (a validly signed JWT through `jwksUrl` can carry one).
 * PostgreSQL refuses both with an error; every backend must instead answer "not found" (or do
 * nothing), so a request that names what cannot exist is a 4xx, never a 500.
 */
import { expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { describeBackends, perTest } from './backends.js';
import { apiToken, T0 } from './fixtures.js';

const NUL = 'a\0b';
const HUGE_IDS = [2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER, -(2 ** 40)];

describeBackends('impossible values', (backend) => {
  const b = perTest(backend);

  it('users: a NUL username or an id past 2^31-1 is not found; writes to it do nothing', async () => {
    const users = b.stores.users;
    expect(await users.findByUsername(NUL)).toBeNull();
    for (const id of HUGE_IDS) {
      expect(await users.findById(id)).toBeNull();
      await users.setActive(id, false);
      await users.setLastLogin(id, T0);
      await users.setTokensValidAfter(id, T0);
      await users.setPassword(id, 'x');
    }
  });

  it('sessions: a NUL public id or digest, a huge user id, is not found', async () => {
    const sessions = b.stores.sessions;
    expect(await sessions.findByPublicId(NUL)).toBeNull();
    expect(await sessions.findByDigest(NUL)).toBeNull();
    expect(await sessions.deleteById(1, NUL)).toBe(false);
    for (const id of HUGE_IDS) {
      expect(await sessions.listForUser(id)).toEqual([]);
      expect(await sessions.deleteById(id, 'x')).toBe(false);
    }
  });

  it('API tokens: a NUL id or digest, a huge user id, is not found', async () => {
    const tokens = b.stores.apiTokens;
    await tokens.create(apiToken());
    expect(await tokens.findByPublicId(NUL)).toBeNull();
    expect(await tokens.findByDigest(NUL)).toBeNull();
    expect(await tokens.findById(1, NUL)).toBeNull();
    expect(await tokens.deleteById(1, NUL)).toBe(false);
    for (const id of HUGE_IDS) {
      expect(await tokens.listForUser(id)).toEqual([]);
      expect(await tokens.findById(id, 'x')).toBeNull();
      expect(await tokens.deleteById(id, 'x')).toBe(false);
    }
    expect(await tokens.listForUser(1)).toHaveLength(1);
  });

  it('JWT state: a NUL jti or family is unknown, a huge user id has nothing to revoke', async () => {
    const jwt = b.stores.jwtState;
    expect(await jwt.spend(NUL, T0)).toEqual({ status: 'unknown' });
    expect(await jwt.refreshState(NUL)).toBe('unknown');
    expect(await jwt.isBlacklisted(NUL)).toBe(false);
    expect(await jwt.isFamilyRevoked(NUL)).toBe(false);
    for (const id of HUGE_IDS) expect(await jwt.revokeAllForUser(id, T0)).toBe(0);
  });

  it('audit: a huge user id has no events', async () => {
    for (const id of HUGE_IDS) expect(await b.stores.audit.list({ userId: id, limit: 10 })).toEqual([]);
  });

  it('a NUL written to a text column is stored or refused as a 400, never a driver error', async () => {
    const err = await b.stores.apiTokens.create(apiToken({ name: NUL })).catch((e: unknown) => e);
    if (err !== undefined) expect(err).toBeInstanceOf(ValidationError);
  });
});
