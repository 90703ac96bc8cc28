import { StoreUnavailable } from '../../../src/core/errors.js';
import type { Stores } from '../../../src/stores/types.js';
import { basic, Jar } from '../http.js';
import { PASSWORD } from '../targets.js';
import { bearer, expectStatus, token, untilThrottled, type Walk } from './walk.js';

// The walk's limits: each throttle driven to 429, a store outage (503), the server's own routes.

/** Each throttled operation, driven to its 429. */
export async function throttlePhase(w: Walk): Promise<void> {
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
export function storesDown(stores: Stores): () => void {
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
  for (const name of ['users', 'sessions', 'apiTokens', 'jwtState', 'rateLimits', 'audit', 'mfa'] as const) {
    cut(name, stores[name] as unknown as Record<string, unknown>);
  }
  return () => {
    for (const u of undo.reverse()) u();
  };
}

/** With every store down, each operation that needs one answers 503, as the document says. */
export async function outagePhase(w: Walk): Promise<void> {
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
export async function serverPhase(w: Walk): Promise<void> {
  if (w.t.name !== 'server') return;
  await expectStatus(w.send('GET', '/api/schema/'), 200);
  await expectStatus(w.send('GET', '/healthz'), 200);
  await expectStatus(w.send('GET', '/readyz'), 200);
}
