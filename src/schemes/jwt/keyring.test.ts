import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../../test/helpers/gatehouse.js';
import { decode, jwtGatehouse } from '../../../test/helpers/jwt.js';
import { ManualClock } from '../../core/clock.js';
import { writeKeysFile } from '../../crypto/jwt/jwks-file.js';
import { generateJwk, importKey, JWT_ALGORITHMS, type JwtAlgorithm } from '../../crypto/jwt/keys.js';
import { createMemoryStores } from '../../stores/memory/index.js';

const ASYMMETRIC = JWT_ALGORITHMS.filter((a) => !a.startsWith('HS'));
/** One key per algorithm, made once (RSA generation is slow). */
const KEYS = new Map<JwtAlgorithm, string>(
  ASYMMETRIC.map((alg) => [alg, importKey(generateJwk(alg), alg).privateKey as string]),
);

describe('every algorithm family signs and verifies', () => {
  it.each(['HS256', 'HS384', 'HS512'] as const)(
    '%s with the secret key; the JWKS stays empty',
    async (alg) => {
      const t = await jwtGatehouse({ algorithm: alg });
      const { access } = await t.login();
      expect(decode(access).header).toMatchObject({ alg, typ: 'JWT', kid: expect.stringMatching(/^hs-/) });
      expect((await t.me(access)).status).toBe(200);
      expect((await t.call('GET', '/.well-known/jwks.json')).body).toEqual({ keys: [] });
    },
  );

  it('HS256 with a dedicated signing key, and with the secret key’s fallbacks verifying', async () => {
    const dedicated = await jwtGatehouse({ signingKey: 'a-dedicated-jwt-signing-key-0123456789-xyz' });
    const token = (await dedicated.login()).access;
    expect((await dedicated.me(token)).status).toBe(200);
    const plain = await jwtGatehouse();
    expect((await plain.me(token)).status).toBe(401);

    const old = (await plain.login()).access;
    const rotated = await jwtGatehouse(
      {},
      { secretKey: 'the-new-secret-key-0123456789-abcdefghijklmnop', secretKeyFallbacks: [TEST_SECRET] },
    );
    expect((await rotated.me(old)).status).toBe(200);
    expect(decode((await rotated.login()).access).header.kid).not.toBe(decode(old).header.kid);
  });

  it.each(ASYMMETRIC)('%s with a key pair; the JWKS publishes the public key only', async (alg) => {
    const t = await jwtGatehouse({ algorithm: alg, signingKey: KEYS.get(alg)! });
    const { access, refresh } = await t.login();
    const { header } = decode(access);
    expect(header.alg).toBe(alg);
    expect((await t.me(access)).status).toBe(200);
    expect((await t.call('POST', '/api/token/refresh/', { body: { refresh } })).status).toBe(200);
    const jwks = await t.call('GET', '/.well-known/jwks.json');
    const keys = (jwks.body as { keys: Array<Record<string, unknown>> }).keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kid: header.kid, alg, use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
    expect(jwks.headers['cache-control']).toBe('public, max-age=300');
  });

  it('a verify-only service (public key) verifies and mints nothing', async () => {
    const signer = await jwtGatehouse({ algorithm: 'ES256', signingKey: KEYS.get('ES256')! });
    const { access } = await signer.login();
    const pub = importKey(KEYS.get('ES256')!, 'ES256').publicKey as string;
    const t = await jwtGatehouse({ algorithm: 'ES256', verifyingKey: pub }, { database: 'memory:' });
    expect((await t.me(access)).status).toBe(200);
    expect((await t.call('POST', '/api/token/', { body: { username: 'alice', password: 'x' } })).status).toBe(
      404,
    );
  });

  it('re-checks expiry on every use of a cached asymmetric verification', async () => {
    const t = await jwtGatehouse({
      algorithm: 'ES256',
      signingKey: KEYS.get('ES256')!,
      accessTokenLifetime: 60,
    });
    const { access } = await t.login();
    expect((await t.me(access)).status).toBe(200);
    expect((await t.me(access)).status).toBe(200);
    t.clock.advance('60s');
    expect((await t.me(access)).status).toBe(401);
  });
});

describe('key rotation', () => {
  it('with config: the old key moves to verifyingKeys; old tokens verify, new ones carry the new kid', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const stores = createMemoryStores();
    const before = await jwtGatehouse(
      { algorithm: 'ES256', signingKey: KEYS.get('ES256')! },
      {},
      { stores, clock },
    );
    const old = await before.login();
    const after = await jwtGatehouse(
      {
        algorithm: 'EdDSA',
        signingKey: KEYS.get('EdDSA')!,
        verifyingKeys: [{ key: KEYS.get('ES256')!, alg: 'ES256' }],
      },
      {},
      { stores, clock, user: 'bob' },
    );
    expect((await after.me(old.access)).status).toBe(200);
    const fresh = await after.login('bob');
    expect(decode(fresh.access).header).toMatchObject({ alg: 'EdDSA' });
    expect(decode(fresh.access).header.kid).not.toBe(decode(old.access).header.kid);
    const kids = (
      (await after.call('GET', '/.well-known/jwks.json')).body as { keys: Array<{ kid: string }> }
    ).keys;
    expect(kids.map((k) => k.kid).sort()).toEqual(
      [decode(old.access).header.kid, decode(fresh.access).header.kid].sort(),
    );
    // The refresh token of the old key still refreshes, now signed by the new one.
    const res = await after.call('POST', '/api/token/refresh/', { body: { refresh: old.refresh } });
    expect(res.status).toBe(200);
    expect(decode((res.body as { access: string }).access).header.alg).toBe('EdDSA');
  });

  it('with the keys file: the current key signs, a retired one verifies until its retireAt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-rotate-'));
    const keysFile = join(dir, 'jwt-keys.json');
    const a = generateJwk('ES256');
    const b = generateJwk('ES384');
    const made = new Date(Date.parse('2026-01-01T00:00:00Z')).toISOString();
    writeKeysFile(keysFile, { current: a.kid, keys: [{ ...a, createdAt: made }] });
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const stores = createMemoryStores();
    const first = await jwtGatehouse({ algorithm: 'ES256', keysFile }, {}, { stores, clock });
    const old = await first.login();
    expect(decode(old.access).header.kid).toBe(a.kid);

    const retireAt = new Date(clock.now() + 8 * 86400_000).toISOString();
    writeKeysFile(keysFile, {
      current: b.kid,
      keys: [
        { ...a, createdAt: made, retireAt },
        { ...b, createdAt: made },
      ],
    });
    const second = await jwtGatehouse({ algorithm: 'ES256', keysFile }, {}, { stores, clock, user: 'bob' });
    expect((await second.me(old.access)).status).toBe(200);
    const fresh = await second.login('bob');
    expect(decode(fresh.access).header).toMatchObject({ kid: b.kid, alg: 'ES384' });
    const kids = () =>
      second
        .call('GET', '/.well-known/jwks.json')
        .then((r) => (r.body as { keys: Array<{ kid: string }> }).keys);
    expect((await kids()).map((k) => k.kid)).toEqual([b.kid, a.kid]);
    clock.advance('8d');
    expect((await kids()).map((k) => k.kid)).toEqual([b.kid]);
    expect((await second.call('POST', '/api/token/verify/', { body: { token: old.refresh } })).status).toBe(
      401,
    );
  });
});

describe('what docs/jwt.md tells a verifier of gatehouse tokens', () => {
  it('a plain JWKS verifier accepts the refresh token too: only token_type tells it from an access token', async () => {
    const t = await jwtGatehouse({
      algorithm: 'ES256',
      signingKey: KEYS.get('ES256')!,
      audience: 'api',
      issuer: 'https://auth.example',
    });
    const { access, refresh } = await t.login();
    const [jwk] = ((await t.call('GET', '/.well-known/jwks.json')).body as { keys: JsonWebKey[] }).keys;
    const key = createPublicKey({ key: jwk!, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const verify = createVerifier({
      key: key as string,
      algorithms: ['ES256'],
      allowedAud: 'api',
      allowedIss: 'https://auth.example',
      clockTimestamp: t.clock.now(),
    });
    expect(verify(access)).toMatchObject({ token_type: 'access' });
    expect(verify(refresh)).toMatchObject({ token_type: 'refresh', aud: 'api', iss: 'https://auth.example' });
  });

  it('an access token of a revoked family lives until it expires; the user lookup ends it at logout-everywhere', async () => {
    const t = await jwtGatehouse();
    const login = await t.login();
    // Logging out of that login revokes its family, but access tokens carry no family.
    const out = await t.call('POST', '/api/token/blacklist/', { body: { refresh: login.refresh } });
    expect(out.status).toBe(200);
    expect((await t.call('POST', '/api/token/verify/', { body: { token: login.refresh } })).status).toBe(401);
    expect((await t.me(login.access)).status).toBe(200);
    t.clock.advance('1s');
    const all = await t.call('POST', '/api/auth/logout-all/', {
      headers: { authorization: `Bearer ${login.access}` },
    });
    expect(all.status).toBe(204);
    expect((await t.me(login.access)).status).toBe(401);
  });
});
