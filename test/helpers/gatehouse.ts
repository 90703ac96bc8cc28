import { join } from 'node:path';
import { createGatehouse, type Gatehouse } from '../../src/contract/gatehouse.js';
import { Router } from '../../src/contract/router.js';
import type { HttpResponse } from '../../src/contract/types.js';
import { ManualClock } from '../../src/core/clock.js';
import { type GatehouseConfigInput, resolveConfig } from '../../src/core/config.js';
import type { Context } from '../../src/core/context.js';
import { MethodNotAllowed, NotFound } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { createAuthRequest } from '../../src/core/request.js';
import { createPasswordHasher } from '../../src/crypto/passwords/hasher.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import type { Stores, UserRecord } from '../../src/stores/types.js';
import { tempProject } from './temp.js';

export const TEST_SECRET = 'test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz';

/** argon2 parameters small enough for fast tests (the real defaults are tested in crypto). */
export const FAST_HASHING = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/**
 * A Context for testing a service without HTTP: `config` over the test secret and fast hashing,
 * memory stores (or `stores`), a manual clock at `now` (or `clock`) and a silent logger.
 */
export function testContext(
  config: Partial<GatehouseConfigInput> = {},
  opts: { stores?: Stores; clock?: ManualClock; now?: number } = {},
): Context & { clock: ManualClock } {
  const resolved = resolveConfig({ secretKey: TEST_SECRET, passwords: { argon2: FAST_HASHING }, ...config });
  return {
    config: resolved,
    clock: opts.clock ?? new ManualClock(opts.now ?? Date.parse('2026-01-01T00:00:00Z')),
    stores: opts.stores ?? createMemoryStores(),
    passwords: createPasswordHasher(resolved.passwords),
    logger: silentLogger,
  };
}

export interface TestGatehouse {
  gh: Gatehouse;
  clock: ManualClock;
  stores: Stores;
  /** Calls a contract route in process, as an adapter would. */
  call(method: string, url: string, opts?: CallOptions): Promise<TestResponse>;
  /** Creates a user with a password (validators skipped). */
  user(username: string, password?: string, extra?: Partial<UserRecord>): Promise<UserRecord>;
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  ip?: string;
  secure?: boolean;
}

export interface TestResponse extends HttpResponse {
  headers: Record<string, string | string[]>;
  /** Set-Cookie values, always a list. */
  cookies: string[];
}

/**
 * A gatehouse over memory stores, a manual clock and fast hashing, with an in-process caller.
 *
 * @example
 * const t = await makeGatehouse({ authentication: ['basic'] });
 * const res = await t.call('GET', '/api/me/');
 */
export async function makeGatehouse(
  overrides: Partial<GatehouseConfigInput> = {},
  opts: { stores?: Stores; clock?: ManualClock } = {},
): Promise<TestGatehouse> {
  const config = resolveConfig({
    secretKey: TEST_SECRET,
    ...overrides,
    passwords: { argon2: FAST_HASHING, ...overrides.passwords },
    // Mails without SMTP land in a folder of the test's own, never in the repository.
    email: { outbox: join(tempProject(), 'outbox'), ...overrides.email },
  } as GatehouseConfigInput);
  const clock = opts.clock ?? new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const stores = opts.stores ?? createMemoryStores();
  const gh = createGatehouse({ config, stores, clock, passwords: createPasswordHasher(config.passwords) });
  const router = new Router(gh.routes);
  return {
    gh,
    clock,
    stores,
    async call(method, url, o = {}) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = v;
      let rawBody: string | undefined;
      if (o.body !== undefined) {
        rawBody = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const req = createAuthRequest({
        method,
        url,
        headers,
        ip: o.ip ?? '127.0.0.1',
        secure: o.secure ?? false,
      });
      const m = router.match(req.method, req.path);
      let res: HttpResponse;
      if (m.kind === 'found') res = await gh.handle(m.bound, { req, params: m.params, rawBody });
      else
        res = gh.errorResponse(m.kind === 'not_found' ? new NotFound() : new MethodNotAllowed(method), req);
      const h = (res.headers ?? {}) as Record<string, string | string[]>;
      const sc = h['set-cookie'];
      return { ...res, headers: h, cookies: sc === undefined ? [] : Array.isArray(sc) ? sc : [sc] };
    },
    async user(username, password = 'correct horse battery staple', extra = {}) {
      const hasher = gh.ctx.passwords;
      const u = await stores.users.create({
        username,
        email: extra.email ?? `${username}@example.com`,
        passwordHash: await hasher.hash(password),
        isAdmin: extra.isAdmin ?? false,
        isActive: extra.isActive ?? true,
        dateJoined: clock.now(),
      });
      return u;
    },
  };
}

/** `Basic` header value. */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
