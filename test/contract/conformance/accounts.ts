import { basic, Jar } from '../http.js';
import { PASSWORD } from '../targets.js';
import { bearer, EVIL, expectStatus, token, untilThrottled, type Walk } from './walk.js';

// The walk's requests to the session, account and API token operations, and their refusals.

export async function sessionPhase(w: Walk): Promise<void> {
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

export async function anonymousPhase(w: Walk): Promise<void> {
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

export async function registerPhase(w: Walk): Promise<void> {
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

export async function tokenPhase(w: Walk): Promise<void> {
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
