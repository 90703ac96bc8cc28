import type { ManualClock } from '../../src/core/clock.js';
import type { GatehouseConfigInput } from '../../src/core/config.js';
import type { JwtPayload } from '../../src/schemes/jwt/keyring.js';
import type { Stores, UserRecord } from '../../src/stores/types.js';
import { makeGatehouse, type TestGatehouse, type TestResponse } from './gatehouse.js';

export const PASSWORD = 'correct horse battery staple';

export interface Pair {
  access: string;
  refresh: string;
}

export interface JwtTestGatehouse extends TestGatehouse {
  /** The user made at start (`alice` unless `opts.user` names another). */
  alice: UserRecord;
  /** POST /api/token/ as alice (or another user); asserts 200. */
  login(username?: string): Promise<Pair>;
  /** GET /api/me/ with `Authorization: <type> <token>`. */
  me(token: string, type?: string): Promise<TestResponse>;
  /** Signs any payload with the configured signer (to craft tokens with odd claims). */
  sign(payload: JwtPayload): string;
}

/**
 * A gatehouse with only the jwt scheme and a user `alice`.
 *
 * @example
 * const t = await jwtGatehouse({ accessTokenLifetime: '5m' });
 * const { access } = await t.login();
 */
export async function jwtGatehouse(
  jwt: NonNullable<GatehouseConfigInput['jwt']> = {},
  overrides: Partial<GatehouseConfigInput> = {},
  opts: { stores?: Stores; clock?: ManualClock; user?: string } = {},
): Promise<JwtTestGatehouse> {
  const t = await makeGatehouse({ authentication: ['jwt'], jwt, ...overrides }, opts);
  const alice = await t.user(opts.user ?? 'alice', PASSWORD);
  return {
    ...t,
    alice,
    async login(username = alice.username) {
      const res = await t.call('POST', '/api/token/', { body: { username, password: PASSWORD } });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as Pair;
    },
    me: (token, type = 'Bearer') =>
      t.call('GET', '/api/me/', { headers: { authorization: `${type} ${token}` } }),
    sign: (payload) => t.gh.services.jwt!.keyring.signer!.sign(payload),
  };
}

/** The decoded header and payload of a compact JWS (no verification). */
export function decode(token: string): { header: Record<string, unknown>; payload: JwtPayload } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) as JwtPayload,
  };
}

/** simplejwt's 401 body for a token the scheme refuses. */
export function notValid(message: string, types: string[] = ['access']) {
  const classes: Record<string, string> = { access: 'AccessToken', sliding: 'SlidingToken' };
  return {
    detail: 'Given token not valid for any token type',
    code: 'token_not_valid',
    messages: types.map((t) => ({ token_class: classes[t], token_type: t, message })),
  };
}
