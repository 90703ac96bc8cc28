import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config-file.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { TEST_SECRET } from '../helpers/gatehouse.js';
import { decode, jwtGatehouse, PASSWORD } from '../helpers/jwt.js';
import { tempProject } from '../helpers/temp.js';

const NEW_SECRET = 'the-rotated-secret-key-after-a-leak-0123456789';

/** An HS256 token signed with `secret` and no kid, as simplejwt (or another service) mints them. */
function foreign(secret: string, payload: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/**
 * secretKeyFallbacks (Django's SECRET_KEY_FALLBACKS): after a rotation, material signed with a
 * previous secret keeps verifying until the fallback is removed; new material is signed with
 * the new secret only. JWT HS* is the one thing gatehouse signs with the secret key (API keys and
 * session ids are random and stored as digests; CSRF tokens are masked, not signed).
 */
describe('secret key rotation', () => {
  it('tokens signed with the previous secret keep working through the rotation window, and only then', async () => {
    const stores = createMemoryStores();
    const before = await jwtGatehouse({ authTokenTypes: ['access', 'sliding'] }, {}, { stores });
    const old = await before.login();
    const sliding = (
      await before.call('POST', '/api/token/sliding/', { body: { username: 'alice', password: PASSWORD } })
    ).body as { token: string };
    const second = await before.login();
    const user = (await before.stores.users.findByUsername('alice'))!;
    const kidless = foreign(TEST_SECRET, {
      token_type: 'access',
      user_id: user.id,
      jti: 'kidless-1',
      iat: Math.floor(before.clock.now() / 1000),
      exp: Math.floor(before.clock.now() / 1000) + 300,
    });

    // The rotation: the new secret signs, the old one only verifies.
    const during = await jwtGatehouse(
      { authTokenTypes: ['access', 'sliding'] },
      { secretKey: NEW_SECRET, secretKeyFallbacks: [TEST_SECRET] },
      { stores, clock: before.clock, user: 'rotation-admin' },
    );
    expect((await during.me(old.access)).status).toBe(200);
    expect((await during.me(kidless)).status).toBe(200);
    expect((await during.me(sliding.token)).status).toBe(200);
    expect((await during.call('POST', '/api/token/verify/', { body: { token: old.refresh } })).status).toBe(
      200,
    );
    const refreshed = await during.call('POST', '/api/token/refresh/', { body: { refresh: old.refresh } });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body as { access: string; refresh: string };
    const renewed = await during.call('POST', '/api/token/sliding/refresh/', {
      body: { token: sliding.token },
    });
    expect(renewed.status).toBe(200);
    // What it hands out now is signed with the new secret.
    const newKid = decode((await during.login('alice')).access).header.kid;
    expect(decode(next.access).header.kid).toBe(newKid);
    expect(decode(next.refresh).header.kid).toBe(newKid);
    expect(decode((renewed.body as { token: string }).token).header.kid).toBe(newKid);
    expect(decode(old.access).header.kid).not.toBe(newKid);
    // Blacklisting a token of the old secret works too.
    expect(
      (await during.call('POST', '/api/token/blacklist/', { body: { refresh: second.refresh } })).status,
    ).toBe(200);

    // The window closes when the fallback is removed: the old secret's tokens stop verifying.
    const after = await jwtGatehouse(
      { authTokenTypes: ['access', 'sliding'] },
      { secretKey: NEW_SECRET },
      { stores, clock: before.clock, user: 'after-admin' },
    );
    expect((await after.me(old.access)).status).toBe(401);
    expect((await after.me(kidless)).status).toBe(401);
    expect((await after.me(sliding.token)).status).toBe(401);
    expect((await after.me(next.access)).status).toBe(200);
    expect(
      (await after.call('POST', '/api/token/refresh/', { body: { refresh: next.refresh } })).status,
    ).toBe(200);
  });

  it('a fallback never signs, and a token forged with an unrelated secret is refused', async () => {
    const t = await jwtGatehouse({}, { secretKey: NEW_SECRET, secretKeyFallbacks: [TEST_SECRET] });
    const forged = foreign('an-attackers-own-secret-0123456789-abcdef', {
      token_type: 'access',
      user_id: t.alice.id,
      jti: 'forged',
      exp: Math.floor(t.clock.now() / 1000) + 300,
    });
    expect((await t.me(forged)).status).toBe(401);
    const fresh = await t.login();
    const onlyNew = await jwtGatehouse(
      {},
      { secretKey: NEW_SECRET },
      { stores: t.stores, clock: t.clock, user: 'x' },
    );
    expect((await onlyNew.me(fresh.access)).status).toBe(200);
  });

  it('GATEHOUSE_SECRET_KEY_FALLBACKS takes a comma-separated list; each must be 32+ characters', async () => {
    const cwd = tempProject();
    const config = await loadConfig({
      cwd,
      env: {
        GATEHOUSE_SECRET_KEY: NEW_SECRET,
        GATEHOUSE_SECRET_KEY_FALLBACKS: ` ${TEST_SECRET} , ${'o'.repeat(40)}`,
      },
    });
    expect(config.secretKeyFallbacks).toEqual([TEST_SECRET, 'o'.repeat(40)]);
    await expect(
      loadConfig({ cwd, env: { GATEHOUSE_SECRET_KEY: NEW_SECRET, GATEHOUSE_SECRET_KEY_FALLBACKS: 'short' } }),
    ).rejects.toThrow('secretKeyFallbacks.0');
  });
});
