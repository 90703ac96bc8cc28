import { Jar } from '../http.js';
import { PASSWORD } from '../targets.js';
import { bearer, EVIL, expectStatus, type Walk } from './walk.js';

// The walk's requests to simplejwt's operations: bodies, the jwt.cookie browser flow, sliding.

/** The access/refresh pair of a body client; in cookie mode the refresh comes in a cookie only. */
export async function jwtBodyPhase(w: Walk): Promise<void> {
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
export async function jwtCookiePhase(w: Walk): Promise<void> {
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

export async function slidingPhase(w: Walk): Promise<void> {
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
