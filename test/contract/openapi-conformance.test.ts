import { describe, expect, it } from 'vitest';
import { buildOpenApi, type OpenApiDocument } from '../../src/contract/openapi.js';
import type { GatehouseConfigInput } from '../../src/core/config.js';
import { StoreUnavailable } from '../../src/core/errors.js';
import type { Stores } from '../../src/stores/types.js';
import { type Conformance, conformance } from './conformance.js';
import { type Answer, basic, browse, Jar, send } from './http.js';
import { PASSWORD, type RunningTarget, TARGETS, useTarget } from './targets.js';

// Every answer of a walk over the whole contract, in each configuration that changes the wire,
// is checked against the OpenAPI document of that same app (GET /api/schema/ on the standalone
// server, buildOpenApi on the adapters): a client generated from the document, behind a
// validating proxy, must never see an answer the document does not describe.

/** Low enough that a few requests reach the throttle, above what the walk itself sends. */
const throttle = { refresh: '8/min', register: '4/hour' };
const schemes = ['session', 'token', 'jwt'] as const;

const CONFIGS: ReadonlyArray<{ name: string; config: Partial<GatehouseConfigInput> }> = [
  // The library's defaults: sign-up off, basic on outside production.
  { name: 'default', config: { authentication: [...schemes], throttle } },
  {
    name: 'jwt.cookie',
    config: { authentication: [...schemes], signup: true, jwt: { cookie: true }, throttle },
  },
  {
    name: 'sliding',
    config: {
      authentication: [...schemes],
      signup: true,
      jwt: { authTokenTypes: ['access', 'sliding'] },
      throttle,
    },
  },
  {
    name: 'stateless',
    config: { authentication: [...schemes], signup: true, jwt: { stateless: true }, throttle },
  },
];

const EVIL = 'https://evil.example';
const token = (key: string) => ({ authorization: `Token ${key}` });
const bearer = (access: string) => ({ authorization: `Bearer ${access}` });

/** The requests of one walk, with the app they go to and what they may assume of it. */
class Walk {
  readonly cookieMode: boolean;
  readonly sliding: boolean;
  readonly signup: boolean;
  private n = 0;

  constructor(
    readonly t: RunningTarget,
    readonly doc: OpenApiDocument,
  ) {
    const { config } = t.gh.ctx;
    this.cookieMode = config.jwt.cookie !== null;
    this.sliding = config.jwt.authTokenTypes.includes('sliding');
    this.signup = config.signup;
  }

  url(path: string): string {
    return this.t.base + path;
  }

  send(method: string, path: string, opts: Parameters<typeof send>[2] = {}): Promise<Answer> {
    return send(method, this.url(path), opts);
  }

  browse(jar: Jar, method: string, path: string, opts: Parameters<typeof browse>[4] = {}): Promise<Answer> {
    return browse(jar, this.t.origin, method, this.url(path), opts);
  }

  /** A fresh user with PASSWORD. */
  async user(): Promise<string> {
    const name = `u${++this.n}`;
    await this.t.user(name);
    return name;
  }

  /** Resets the per-minute windows between phases, so one phase's requests do not throttle the next. */
  nextMinutes(): void {
    this.t.clock.advance('2m');
  }
}

async function expectStatus(answer: Promise<Answer>, status: number): Promise<Answer> {
  const res = await answer;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res;
}

/** Sends `request` until it answers 429 (each counted attempt moves toward the limit). */
async function untilThrottled(request: () => Promise<Answer>): Promise<void> {
  for (let i = 0; i < 40; i++) if ((await request()).status === 429) return;
  throw new Error('never throttled');
}

async function sessionPhase(w: Walk): Promise<void> {
  const name = await w.user();
  const jar = new Jar();
  await expectStatus(w.browse(jar, 'GET', '/api/auth/csrf/'), 200);
  const login = (body: unknown, opts: { csrf?: boolean; headers?: Record<string, string> } = {}) =>
    w.browse(jar, 'POST', '/api/auth/login/', { body, ...opts });
  await expectStatus(login({ username: name, password: 'wrong' }), 400);
  await expectStatus(login({ username: name }), 400);
  await expectStatus(login({ username: name, password: PASSWORD }, { csrf: false }), 403);
  await expectStatus(login({ username: name, password: PASSWORD }, { headers: { origin: EVIL } }), 403);
  await expectStatus(login('username=x', { headers: { 'content-type': 'text/plain' } }), 415);
  await expectStatus(
    login({ username: name, password: 'x'.repeat(w.t.gh.ctx.config.server.bodyLimit * 2) }),
    413,
  );
  await expectStatus(login('{"username":', {}), 400);
  await expectStatus(login({ username: name, password: PASSWORD }), 200);
  await expectStatus(w.browse(jar, 'GET', '/api/me/'), 200);
  const sessions = await expectStatus(w.browse(jar, 'GET', '/api/auth/sessions/'), 200);
  const own = (sessions.body as Array<{ id: string }>)[0]!.id;
  await expectStatus(w.browse(jar, 'POST', '/api/auth/logout-all/', { csrf: false }), 403);
  await expectStatus(w.browse(jar, 'DELETE', '/api/auth/sessions/nope/'), 404);
  await w.browse(jar, 'DELETE', '/api/auth/sessions/%zz/');
  await w.browse(jar, 'DELETE', `/api/auth/sessions/${'x'.repeat(300)}/`);
  await expectStatus(
    w.browse(jar, 'POST', '/api/auth/password/', { body: { old_password: 'wrong', new_password: 'x' } }),
    400,
  );
  await expectStatus(w.browse(jar, 'DELETE', `/api/auth/sessions/${own}/`), 204);
  const again = new Jar();
  await w.browse(again, 'GET', '/api/auth/csrf/');
  await expectStatus(
    w.browse(again, 'POST', '/api/auth/login/', { body: { username: name, password: PASSWORD } }),
    200,
  );
  await expectStatus(w.browse(again, 'POST', '/api/auth/logout/'), 204);
  // Once more, with nothing left to end (Django's logout is idempotent).
  await expectStatus(w.browse(again, 'POST', '/api/auth/logout/'), 204);
  const third = new Jar();
  await w.browse(third, 'GET', '/api/auth/csrf/');
  await w.browse(third, 'POST', '/api/auth/login/', { body: { username: name, password: PASSWORD } });
  await expectStatus(w.browse(third, 'POST', '/api/auth/logout-all/'), 204);
}

async function anonymousPhase(w: Walk): Promise<void> {
  await expectStatus(w.send('GET', '/api/me/'), 403);
  await expectStatus(w.send('GET', '/api/me/', { headers: token('nope') }), 401);
  await expectStatus(w.send('GET', '/api/me/', { headers: bearer('nope') }), 401);
  await expectStatus(w.send('GET', '/api/me/', { headers: basic('nobody', 'wrong') }), 401);
  for (const path of ['/api/auth/sessions/', '/api/auth/tokens/']) await w.send('GET', path);
  await w.send('POST', '/api/auth/tokens/');
  await w.send('POST', '/api/auth/logout-all/');
  await w.send('POST', '/api/auth/password/', { body: { old_password: 'a', new_password: 'b' } });
  await w.send('DELETE', '/api/auth/tokens/nope/');
  await w.send('POST', '/api/auth/tokens/nope/rotate/');
  await w.send('DELETE', '/api/auth/sessions/nope/');
  // With jwt.cookie a credential-less logout needs CSRF too (it clears the JWT cookies).
  await expectStatus(w.send('POST', '/api/auth/logout/'), w.cookieMode ? 403 : 204);
  // A method each contract path does not list: DRF's 405 with Allow (the server's own routes,
  // health and schema, are Fastify's: an unknown method there is its 404).
  for (const { route } of w.t.gh.routes) {
    const path = route.path.replace(/:\w+/g, 'x');
    const listed = w.t.gh.routes.filter((b) => b.route.path === route.path).map((b) => b.route.method);
    await w.send(['PUT', 'PATCH'].find((m) => !listed.includes(m as 'PUT'))!, path);
  }
}

async function registerPhase(w: Walk): Promise<void> {
  if (!w.signup) {
    await expectStatus(
      w.send('POST', '/api/auth/register/', { body: { username: 'newbie', password: PASSWORD } }),
      403,
    );
    return;
  }
  await expectStatus(
    w.send('POST', '/api/auth/register/', { body: { username: 'newbie', password: PASSWORD } }),
    201,
  );
  await expectStatus(
    w.send('POST', '/api/auth/register/', { body: { username: 'newbie', password: PASSWORD } }),
    400,
  );
  await expectStatus(
    w.send('POST', '/api/auth/register/', { body: { username: 'other', email: 'not an email' } }),
    400,
  );
  await expectStatus(
    w.send('POST', '/api/auth/register/', {
      body: 'username=formed&password=correct+horse+battery+staple',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    201,
  );
  await untilThrottled(() =>
    w.send('POST', '/api/auth/register/', {
      body: { username: `r${Math.random()}`.replace('.', ''), password: PASSWORD },
    }),
  );
}

async function tokenPhase(w: Walk): Promise<void> {
  const name = await w.user();
  const obtain = (body: unknown, headers: Record<string, string> = {}) =>
    w.send('POST', '/api-token-auth/', { body, headers });
  await expectStatus(obtain({ username: name, password: 'wrong' }), 400);
  await expectStatus(obtain({}), 400);
  const key = (
    (await expectStatus(obtain({ username: name, password: PASSWORD }), 200)).body as { token: string }
  ).token;
  await expectStatus(
    obtain(`username=${name}&password=${encodeURIComponent(PASSWORD)}`, {
      'content-type': 'application/x-www-form-urlencoded',
    }),
    200,
  );
  const auth = token(key);
  await expectStatus(w.send('GET', '/api/me/', { headers: auth }), 200);
  await expectStatus(w.send('GET', '/api/auth/tokens/', { headers: auth }), 200);
  await expectStatus(w.send('GET', '/api/auth/sessions/', { headers: auth }), 200);
  const created = await expectStatus(w.send('POST', '/api/auth/tokens/', { headers: auth }), 201);
  const other = (created.body as { id: string }).id;
  await expectStatus(w.send('POST', '/api/auth/tokens/', { headers: auth, body: { expires_in: -1 } }), 400);
  await expectStatus(
    w.send('POST', '/api/auth/tokens/', { headers: auth, body: { name: 'ci', expires_in: 3600 } }),
    201,
  );
  const scoped = await expectStatus(
    w.send('POST', '/api/auth/tokens/', { headers: auth, body: { scopes: ['deploy'] } }),
    201,
  );
  const scopedAuth = token((scoped.body as { key: string }).key);
  await expectStatus(w.send('GET', '/api/auth/sessions/', { headers: scopedAuth }), 403);
  await expectStatus(w.send('GET', '/api/auth/tokens/', { headers: scopedAuth }), 403);
  await expectStatus(w.send('POST', '/api/auth/tokens/', { headers: scopedAuth }), 403);
  await expectStatus(w.send('DELETE', `/api/auth/tokens/${other}/`, { headers: scopedAuth }), 403);
  await expectStatus(w.send('POST', `/api/auth/tokens/${other}/rotate/`, { headers: scopedAuth }), 403);
  await expectStatus(w.send('POST', '/api/auth/logout-all/', { headers: scopedAuth }), 403);
  await expectStatus(w.send('POST', '/api/auth/password/', { headers: scopedAuth, body: {} }), 403);
  const rotated = await expectStatus(
    w.send('POST', `/api/auth/tokens/${other}/rotate/`, { headers: auth }),
    200,
  );
  const rotatedId = (rotated.body as { id: string }).id;
  const again = await expectStatus(
    w.send('POST', `/api/auth/tokens/${rotatedId}/rotate/`, { headers: auth, body: { expires_in: 60 } }),
    200,
  );
  await expectStatus(w.send('POST', '/api/auth/tokens/nope/rotate/', { headers: auth }), 404);
  await expectStatus(w.send('DELETE', '/api/auth/tokens/nope/', { headers: auth }), 404);
  await w.send('DELETE', '/api/auth/tokens/%zz/', { headers: auth });
  await w.send('DELETE', `/api/auth/tokens/${'x'.repeat(300)}/`, { headers: auth });
  await w.send('POST', `/api/auth/tokens/${'x'.repeat(300)}/rotate/`, { headers: auth });
  await expectStatus(
    w.send('DELETE', `/api/auth/tokens/${(again.body as { id: string }).id}/`, { headers: auth }),
    204,
  );
  await expectStatus(w.send('POST', '/api/auth/tokens/', { headers: auth, body: '{' }), 400);
  await expectStatus(
    w.send('POST', '/api/auth/tokens/', { headers: { ...auth, 'content-type': 'text/plain' }, body: 'x' }),
    415,
  );
  await expectStatus(
    w.send('POST', '/api/auth/password/', {
      headers: auth,
      body: { old_password: 'wrong', new_password: 'x' },
    }),
    400,
  );
  await expectStatus(
    w.send('POST', '/api/auth/password/', {
      headers: auth,
      body: { old_password: PASSWORD, new_password: `${PASSWORD} again` },
    }),
    200,
  );
  // The password change ended the key: 401, and the next is a fresh one.
  await expectStatus(w.send('GET', '/api/me/', { headers: auth }), 401);
  const next = await expectStatus(obtain({ username: name, password: `${PASSWORD} again` }), 200);
  const nextAuth = token((next.body as { token: string }).token);
  await expectStatus(w.send('POST', '/api/auth/logout/', { headers: nextAuth }), 204);
  const last = await expectStatus(obtain({ username: name, password: `${PASSWORD} again` }), 200);
  await expectStatus(
    w.send('POST', '/api/auth/logout-all/', { headers: token((last.body as { token: string }).token) }),
    204,
  );
}

/** The access/refresh pair of a body client; in cookie mode the refresh comes in a cookie only. */
async function jwtBodyPhase(w: Walk): Promise<void> {
  const name = await w.user();
  const obtain = (body: unknown, headers: Record<string, string> = {}) =>
    w.send('POST', '/api/token/', { body, headers });
  await expectStatus(obtain({ username: name, password: 'wrong' }), 401);
  await expectStatus(obtain({ username: name }), 400);
  const pair = (await expectStatus(obtain({ username: name, password: PASSWORD }), 200)).body as {
    access: string;
    refresh?: string;
  };
  const auth = bearer(pair.access);
  await expectStatus(w.send('GET', '/api/me/', { headers: auth }), 200);
  await expectStatus(w.send('GET', '/api/me/', { headers: bearer(`${pair.access}x`) }), 401);
  await expectStatus(w.send('POST', '/api/token/verify/', { body: { token: pair.access } }), 200);
  await expectStatus(w.send('POST', '/api/token/verify/', { body: { token: `${pair.access}x` } }), 401);
  await expectStatus(w.send('POST', '/api/token/verify/', { body: {} }), 400);
  await expectStatus(w.send('POST', '/api/token/refresh/', { body: { refresh: `${pair.access}` } }), 401);
  await expectStatus(w.send('POST', '/api/token/refresh/', { body: {} }), 400);
  await expectStatus(w.send('POST', '/api/token/blacklist/', { body: { refresh: 'nope' } }), 401);
  await expectStatus(w.send('POST', '/api/token/blacklist/', { body: {} }), 400);
  await expectStatus(w.send('GET', '/.well-known/jwks.json'), 200);
  // A Bearer logout needs the refresh token of that login (none in the body: 400).
  await expectStatus(w.send('POST', '/api/auth/logout/', { headers: auth }), 400);
  if (pair.refresh) {
    await expectStatus(w.send('POST', '/api/token/verify/', { body: { token: pair.refresh } }), 200);
    const refreshed = await expectStatus(
      w.send('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } }),
      200,
    );
    const next = refreshed.body as { access: string; refresh: string };
    // Spent: 401 (or 200 within a retry grace), whichever, as the document says.
    await w.send('POST', '/api/token/verify/', { body: { token: pair.refresh } });
    await expectStatus(w.send('POST', '/api/token/blacklist/', { body: { refresh: next.refresh } }), 200);
    const again = (await expectStatus(obtain({ username: name, password: PASSWORD }), 200))
      .body as typeof next;
    const other = (await expectStatus(obtain({ username: 'u1', password: PASSWORD }), 200))
      .body as typeof next;
    await expectStatus(
      w.send('POST', '/api/auth/logout/', {
        headers: bearer(again.access),
        body: { refresh: other.refresh },
      }),
      401,
    );
    await expectStatus(
      w.send('POST', '/api/auth/logout/', {
        headers: bearer(again.access),
        body: { refresh: again.refresh },
      }),
      204,
    );
  }
  const fresh = (await expectStatus(obtain({ username: name, password: PASSWORD }), 200)).body as {
    access: string;
  };
  await expectStatus(w.send('POST', '/api/auth/logout-all/', { headers: bearer(fresh.access) }), 204);
}

/** The browser flow of jwt.cookie: tokens in HttpOnly cookies, refresh by cookie with CSRF. */
async function jwtCookiePhase(w: Walk): Promise<void> {
  const name = await w.user();
  const jar = new Jar();
  await w.browse(jar, 'GET', '/api/auth/csrf/');
  await expectStatus(
    w.browse(jar, 'POST', '/api/token/', {
      body: { username: name, password: PASSWORD },
      headers: { origin: EVIL },
    }),
    403,
  );
  await expectStatus(
    w.browse(jar, 'POST', '/api/token/', { body: { username: name, password: PASSWORD } }),
    200,
  );
  await expectStatus(w.browse(jar, 'GET', '/api/me/'), 200);
  await expectStatus(w.browse(jar, 'POST', '/api/token/refresh/', { csrf: false }), 403);
  await expectStatus(w.browse(jar, 'POST', '/api/token/refresh/'), 200);
  await expectStatus(w.browse(jar, 'POST', '/api/token/refresh/', { body: {} }), 200);
  await expectStatus(w.browse(jar, 'POST', '/api/auth/logout/', { csrf: false }), 403);
  await expectStatus(w.browse(jar, 'POST', '/api/token/blacklist/', { csrf: false }), 403);
  await expectStatus(w.browse(jar, 'POST', '/api/token/blacklist/'), 200);
  await w.browse(jar, 'POST', '/api/token/', { body: { username: name, password: PASSWORD } });
  await expectStatus(w.browse(jar, 'POST', '/api/auth/logout/'), 204);
}

async function slidingPhase(w: Walk): Promise<void> {
  const name = await w.user();
  await expectStatus(
    w.send('POST', '/api/token/sliding/', { body: { username: name, password: 'wrong' } }),
    401,
  );
  await expectStatus(w.send('POST', '/api/token/sliding/', { body: {} }), 400);
  const { token: sliding } = (
    await expectStatus(
      w.send('POST', '/api/token/sliding/', { body: { username: name, password: PASSWORD } }),
      200,
    )
  ).body as { token: string };
  await expectStatus(w.send('GET', '/api/me/', { headers: bearer(sliding) }), 200);
  await expectStatus(w.send('POST', '/api/token/sliding/refresh/', { body: { token: sliding } }), 200);
  await expectStatus(w.send('POST', '/api/token/sliding/refresh/', { body: { token: `${sliding}x` } }), 401);
  await expectStatus(w.send('POST', '/api/token/sliding/refresh/', { body: {} }), 400);
  await expectStatus(w.send('POST', '/api/token/verify/', { body: { token: sliding } }), 200);
  await expectStatus(w.send('POST', '/api/auth/logout/', { headers: bearer(sliding) }), 204);
}

/** Each throttled operation, driven to its 429. */
async function throttlePhase(w: Walk): Promise<void> {
  const wrong = async () => ({ username: await w.user(), password: 'wrong' });
  w.nextMinutes();
  const login = await wrong();
  const jar = new Jar();
  await w.browse(jar, 'GET', '/api/auth/csrf/');
  await untilThrottled(() => w.browse(jar, 'POST', '/api/auth/login/', { body: login }));
  w.nextMinutes();
  const obtain = await wrong();
  await untilThrottled(() => w.send('POST', '/api-token-auth/', { body: obtain }));
  w.nextMinutes();
  const pair = await wrong();
  await untilThrottled(() => w.send('POST', '/api/token/', { body: pair }));
  if (w.sliding) {
    w.nextMinutes();
    const sliding = await wrong();
    await untilThrottled(() => w.send('POST', '/api/token/sliding/', { body: sliding }));
    w.nextMinutes();
    await untilThrottled(() => w.send('POST', '/api/token/sliding/refresh/', { body: { token: 'nope' } }));
  }
  w.nextMinutes();
  await untilThrottled(() => w.send('POST', '/api/token/refresh/', { body: { refresh: 'nope' } }));
  w.nextMinutes();
  const basicUser = await wrong();
  await untilThrottled(() => w.send('GET', '/api/me/', { headers: basic(basicUser.username, 'wrong') }));
  w.nextMinutes();
  const changer = await w.user();
  const key = (
    await expectStatus(
      w.send('POST', '/api-token-auth/', { body: { username: changer, password: PASSWORD } }),
      200,
    )
  ).body as { token: string };
  await untilThrottled(() =>
    w.send('POST', '/api/auth/password/', {
      headers: token(key.token),
      body: { old_password: 'wrong', new_password: 'whatever it is' },
    }),
  );
}

/**
 * Makes every call of every store fail as a backend that went away does (StoreUnavailable, which
 * the stores' drivers raise; test/stores/outage.test.ts shows it through a real cut connection);
 * returns the function that brings them back. Health is left alone: /readyz is not under test here.
 */
function storesDown(stores: Stores): () => void {
  const undo: Array<() => void> = [];
  const seen = new Set<object>();
  // A store's methods, and those of the objects it hands out (the SQL stores' `withUser` lookup).
  const cut = (name: string, store: Record<string, unknown>): void => {
    if (seen.has(store)) return;
    seen.add(store);
    const keys = new Set<string>();
    for (let o: object | null = store; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const key of Object.getOwnPropertyNames(o)) if (key !== 'constructor') keys.add(key);
    }
    for (const key of keys) {
      const value = store[key];
      // Plain objects only: never into a driver's own (a database handle, a client).
      if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
        cut(name, value as Record<string, unknown>);
      }
      if (typeof value !== 'function') continue;
      const own = Object.getOwnPropertyDescriptor(store, key);
      store[key] = async () => {
        throw new StoreUnavailable(name);
      };
      undo.push(() => (own ? Object.defineProperty(store, key, own) : delete store[key]));
    }
  };
  for (const name of ['users', 'sessions', 'apiTokens', 'jwtState', 'rateLimits', 'audit'] as const) {
    cut(name, stores[name] as unknown as Record<string, unknown>);
  }
  return () => {
    for (const u of undo.reverse()) u();
  };
}

/** With every store down, each operation that needs one answers 503, as the document says. */
async function outagePhase(w: Walk): Promise<void> {
  const name = await w.user();
  const key = (
    (
      await expectStatus(
        w.send('POST', '/api-token-auth/', { body: { username: name, password: PASSWORD } }),
        200,
      )
    ).body as { token: string }
  ).token;
  const pair = (
    await expectStatus(w.send('POST', '/api/token/', { body: { username: name, password: PASSWORD } }), 200)
  ).body as { access: string; refresh?: string };
  const jar = new Jar();
  await w.browse(jar, 'GET', '/api/auth/csrf/');
  const up = storesDown(w.t.gh.ctx.stores);
  try {
    const credentials = { username: name, password: PASSWORD };
    await expectStatus(w.send('GET', '/api/me/', { headers: token(key) }), 503);
    await expectStatus(w.browse(jar, 'POST', '/api/auth/login/', { body: credentials }), 503);
    await expectStatus(w.send('POST', '/api-token-auth/', { body: credentials }), 503);
    await expectStatus(w.send('POST', '/api/token/', { body: credentials }), 503);
    if (pair.refresh) {
      await expectStatus(w.send('POST', '/api/token/refresh/', { body: { refresh: pair.refresh } }), 503);
      await expectStatus(w.send('POST', '/api/token/blacklist/', { body: { refresh: pair.refresh } }), 503);
      await w.send('POST', '/api/token/verify/', { body: { token: pair.refresh } });
    }
    if (w.signup) {
      await expectStatus(
        w.send('POST', '/api/auth/register/', { body: { username: 'x', password: PASSWORD } }),
        503,
      );
    }
    // Every other operation, with a credential: whatever each answers, the document must say it.
    for (const { route } of w.t.gh.routes) {
      const path = route.path.replace(/:\w+/g, 'x');
      await w.send(route.method, path, {
        headers: token(key),
        body: route.method === 'POST' ? {} : undefined,
      });
      await w.send(route.method, path, {
        headers: bearer(pair.access),
        body: route.method === 'POST' ? {} : undefined,
      });
    }
  } finally {
    up();
  }
  await expectStatus(w.send('GET', '/api/me/', { headers: token(key) }), 200);
}

/** The standalone server's own routes: the schema itself, and the health checks. */
async function serverPhase(w: Walk): Promise<void> {
  if (w.t.name !== 'server') return;
  await expectStatus(w.send('GET', '/api/schema/'), 200);
  await expectStatus(w.send('GET', '/healthz'), 200);
  await expectStatus(w.send('GET', '/readyz'), 200);
}

async function documentOf(t: RunningTarget): Promise<OpenApiDocument> {
  if (t.name !== 'server') return buildOpenApi(t.gh, { prefix: t.prefix });
  const res = await send('GET', `${t.base}/api/schema/`);
  expect(res.status).toBe(200);
  return res.body as OpenApiDocument;
}

/**
 * The operations the walk did not answer with a success: every one must be, but sign-up, which
 * can only refuse when it is off.
 */
function unexercised(c: Conformance, w: Walk): string[] {
  return c.operations.filter((id) => {
    const statuses = [...(c.seen.get(id) ?? [])];
    if (!w.signup && id.endsWith('_api_auth_register')) return statuses.length === 0;
    return !statuses.some((s) => s >= 200 && s < 300);
  });
}

describe.each(TARGETS)('OpenAPI conformance on $name', (target) => {
  describe.each(CONFIGS)('$name configuration', ({ config }) => {
    const t = useTarget(target, config);

    it('answers every request as its own /api/schema/ document says', async () => {
      const doc = await documentOf(t());
      const c = conformance(doc, t().origin);
      const w = new Walk(t(), doc);
      c.listen();
      try {
        await anonymousPhase(w);
        await sessionPhase(w);
        w.nextMinutes();
        await tokenPhase(w);
        w.nextMinutes();
        await jwtBodyPhase(w);
        if (w.cookieMode) await jwtCookiePhase(w);
        if (w.sliding) await slidingPhase(w);
        await registerPhase(w);
        await serverPhase(w);
        w.nextMinutes();
        await outagePhase(w);
        await throttlePhase(w);
      } catch (err) {
        // A walk cut short still shows what it found so far.
        throw new Error(
          `${(err as Error).message}\nanswers unlike the document so far:\n${c.problems.join('\n')}`,
        );
      } finally {
        c.stop();
      }
      expect(c.problems).toEqual([]);
      expect(unexercised(c, w), 'operations the walk did not reach with a 2xx').toEqual([]);
    });
  });
});
