import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSigner } from 'fast-jwt';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { jwtGatehouse, notValid } from '../../../test/helpers/jwt.js';
import { ManualClock } from '../../core/clock.js';
import { resolveConfig } from '../../core/config.js';
import { ConfigError, ServiceUnavailable } from '../../core/errors.js';
import { type GeneratedJwk, generateJwk, importKey } from '../../crypto/jwt/keys.js';
import { type RemoteKeySetOptions, remoteKeySet } from './remote-key-set.js';

/** A JWKS endpoint on 127.0.0.1 serving `state.keys` with `state.status`, counting its hits. */
const state = { keys: [] as object[], hits: 0, status: 200 };
const server = createServer((_req, res) => {
  state.hits++;
  res.statusCode = state.status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ keys: state.keys }));
});
const listening = new Promise<string>((resolve) =>
  server.listen(0, '127.0.0.1', () =>
    resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`),
  ),
);
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  Object.assign(state, { keys: [], hits: 0, status: 200 });
});

const publicOf = (jwk: GeneratedJwk) => importKey(jwk, jwk.alg, jwk.kid).publicJwk!;
const [a, b, c] = [generateJwk('ES256'), generateJwk('ES256'), generateJwk('ES256')];
const ed = generateJwk('EdDSA');
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** A token another issuer minted with `jwk`; `kid: null` writes none (as simplejwt does). */
function mint(jwk: GeneratedJwk, userId: number, now: number, kid: string | null = jwk.kid): string {
  const key = importKey(jwk, jwk.alg, jwk.kid).privateKey as string;
  const sign = createSigner({ key, algorithm: jwk.alg, ...(kid === null ? {} : { kid }) });
  const iat = Math.floor(now / 1000);
  return sign({ token_type: 'access', exp: iat + 300, iat, jti: 'remote', user_id: userId });
}

describe('remoteKeySet', () => {
  const open = async (clock: ManualClock, over: Partial<RemoteKeySetOptions> = {}) =>
    remoteKeySet({
      url: await listening,
      ttlMs: 600_000,
      retryMs: 30_000,
      fetchesPerMinute: 3,
      now: () => clock.now(),
      ...over,
    });

  it('fetches a kid it lacks at once; new kids in flight share one fetch; the budget bounds the rest', async () => {
    const clock = new ManualClock(T0);
    const set = await open(clock);
    state.keys = [publicOf(a)];
    expect((await set.key(a.kid))?.kid).toBe(a.kid);
    expect(state.hits).toBe(1);
    // The issuer publishes b: the first token naming it causes a fetch at once, no cooldown.
    state.keys = [publicOf(a), publicOf(b)];
    const found = await Promise.all([set.key(b.kid), set.key('spray-1'), set.key('spray-2')]);
    expect(found.map((k) => k?.kid ?? null)).toEqual([b.kid, null, null]);
    expect(state.hits).toBe(2);
    expect(await set.key('spray-3')).toBeNull();
    expect(await set.key('spray-4')).toBeNull();
    expect(state.hits).toBe(4);
    // Three fetches this minute: the budget is spent, even for a key that really is new.
    state.keys = [publicOf(a), publicOf(b), publicOf(c)];
    expect(await set.key(c.kid)).toBeNull();
    expect(await set.key('spray-5')).toBeNull();
    expect(state.hits).toBe(4);
    expect((await set.key(a.kid))?.kid).toBe(a.kid);
    clock.advance('60s');
    expect((await set.key(c.kid))?.kid).toBe(c.kid);
    expect(state.hits).toBe(5);
  });

  it('the scheduled refresh is not taken from the budget: spraying kids cannot keep a removed key in use', async () => {
    const clock = new ManualClock(T0);
    const set = await open(clock, { ttlMs: 10_000 });
    state.keys = [publicOf(a), publicOf(b)];
    expect((await set.key(a.kid))?.kid).toBe(a.kid);
    for (const kid of ['spray-1', 'spray-2', 'spray-3', 'spray-4']) expect(await set.key(kid)).toBeNull();
    expect(state.hits).toBe(4);
    state.keys = [publicOf(b)];
    clock.advance('11s');
    expect(await set.key(a.kid)).toBeNull();
    expect(state.hits).toBe(5);
  });

  it('a set that cannot be fetched: held keys keep verifying, a kid not held is a 503, retried after the cooldown', async () => {
    const clock = new ManualClock(T0);
    const errors: unknown[] = [];
    const set = await open(clock, { ttlMs: 10_000, onError: (err) => errors.push(err) });
    state.keys = [publicOf(a)];
    expect((await set.key(a.kid))?.kid).toBe(a.kid);
    state.status = 500;
    clock.advance('11s');
    // Stale, the refresh fails: the key held is served, and not fetched again until the cooldown.
    expect((await set.key(a.kid))?.kid).toBe(a.kid);
    expect((await set.key(a.kid))?.kid).toBe(a.kid);
    expect(state.hits).toBe(2);
    expect(String(errors[0])).toContain('answered 500');
    // Whether b exists cannot be told: neither accepted nor called invalid.
    await expect(set.key(b.kid)).rejects.toBeInstanceOf(ServiceUnavailable);
    await expect(set.keysFor('EdDSA')).rejects.toBeInstanceOf(ServiceUnavailable);
    expect((await set.keysFor('ES256')).map((k) => k.kid)).toEqual([a.kid]);
    expect(state.hits).toBe(3);
    clock.advance('30s');
    state.status = 200;
    state.keys = [publicOf(b)];
    expect(await set.key(a.kid)).toBeNull();
    expect(state.hits).toBe(4);
  });

  it('a set never fetched, with the issuer down: every kid is a 503', async () => {
    state.status = 503;
    const set = await open(new ManualClock(T0));
    await expect(set.key(a.kid)).rejects.toBeInstanceOf(ServiceUnavailable);
    await expect(set.keysFor('ES256')).rejects.toBeInstanceOf(ServiceUnavailable);
  });
});

describe('jwksUrl: tokens issued by another service', () => {
  it('verifies from the fetched set, fetches a new kid at once, never takes oct keys', async () => {
    const url = await listening;
    const hs = generateJwk('HS256');
    state.keys = [publicOf(a), hs];
    const t = await jwtGatehouse({ jwksUrl: url, jwksCooldown: 30 });
    const now = t.clock.now();
    expect((await t.me(mint(a, t.alice.id, now))).status).toBe(200);
    expect((await t.me(mint(a, t.alice.id, now))).status).toBe(200);
    expect(state.hits).toBe(1);
    // A key published as oct is never trusted from a URL.
    expect(await t.me(mint(hs, t.alice.id, now))).toMatchObject({ status: 401 });
    state.keys = [publicOf(a), publicOf(ed)];
    // The issuer's new key is fetched for the first token naming it, jwksCooldown or not.
    expect((await t.me(mint(ed, t.alice.id, now))).status).toBe(200);
    expect(state.hits).toBe(3);
  });

  it('a token without kid: verified by the one key of its algorithm, refused when several could have signed it', async () => {
    const url = await listening;
    state.keys = [publicOf(a), publicOf(ed)];
    const one = await jwtGatehouse({ jwksUrl: url });
    expect((await one.me(mint(a, one.alice.id, one.clock.now(), null))).status).toBe(200);
    expect((await one.me(mint(ed, one.alice.id, one.clock.now(), null))).status).toBe(200);
    // The one key of the algorithm must be the signer: another ES256 key's token is refused.
    expect((await one.me(mint(b, one.alice.id, one.clock.now(), null))).status).toBe(401);

    state.keys = [publicOf(a), publicOf(b), publicOf(ed)];
    const several = await jwtGatehouse({ jwksUrl: url });
    const res = await several.me(mint(a, several.alice.id, several.clock.now(), null));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(
      notValid('Token has no kid, and the key set of its issuer holds several keys of its algorithm'),
    );
    expect((await several.me(mint(ed, several.alice.id, several.clock.now(), null))).status).toBe(200);
  });

  it('a spent fetch budget refuses new kids with 401 until the minute is over; an issuer that is down is a 503', async () => {
    const url = await listening;
    state.keys = [publicOf(a)];
    const t = await jwtGatehouse({ jwksUrl: url, jwksFetchesPerMinute: 2 });
    const me = (jwk: GeneratedJwk, kid?: string) => t.me(mint(jwk, t.alice.id, t.clock.now(), kid));
    expect((await me(a)).status).toBe(200);
    expect((await me(a, 'spray-1')).status).toBe(401);
    expect((await me(a, 'spray-2')).status).toBe(401);
    expect(state.hits).toBe(3);
    state.keys = [publicOf(a), publicOf(b)];
    const refused = await me(b);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(notValid('Token is invalid or expired'));
    expect(state.hits).toBe(3);
    t.clock.advance('60s');
    expect((await me(b)).status).toBe(200);
    expect(state.hits).toBe(4);

    state.status = 500;
    const down = await me(c);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'service_unavailable' });
    expect((await me(a)).status).toBe(200);
  });

  it('jwksFetchesPerMinute is a whole number from 1 to 600', () => {
    const secretKey = 'x'.repeat(40);
    expect(resolveConfig({ secretKey }).jwt.jwksFetchesPerMinute).toBe(10);
    expect(resolveConfig({ secretKey, jwt: { jwksFetchesPerMinute: 600 } }).jwt.jwksFetchesPerMinute).toBe(
      600,
    );
    for (const wrong of [0, 2.5, 601, '10']) {
      const input = { secretKey, jwt: { jwksFetchesPerMinute: wrong as number } };
      expect(() => resolveConfig(input)).toThrow(ConfigError);
      expect(() => resolveConfig(input)).toThrow(
        `jwt.jwksFetchesPerMinute: expected a whole number from 1 to 600, got ${JSON.stringify(wrong)}`,
      );
    }
  });
});
