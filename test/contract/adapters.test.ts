import { describe, expect, it, vi } from 'vitest';
import { APP_ROUTES } from './apps/routes.js';
import { basic, send } from './http.js';
import { ADAPTER_TARGETS, PASSWORD, useTarget } from './targets.js';

// The standalone server has no routes of its own to guard: these run on the adapters' apps.
describe.each(ADAPTER_TARGETS)('an app built with the $name adapter', (target) => {
  const t = useTarget(target, { authentication: ['basic'] });
  const app = (path: string) => `${t().origin}${path}`;

  it('mounts the contract under its prefix only', async () => {
    expect(t().prefix).not.toBe('');
    expect((await send('GET', `${t().base}/api/me/`)).status).toBe(401);
    const outside = await send('GET', app('/api/me/'));
    expect(outside.status).toBe(404);
    expect(outside.body).toEqual({ detail: 'Not found.', code: 'not_found' });
  });

  it('lets anonymous callers through authenticate() with a null user', async () => {
    const res = await send('GET', app(APP_ROUTES.notes));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: null, scheme: null });
    expect(res.headers.get('vary')).toMatch(/Cookie, Authorization/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sets the user from the configured schemes in authenticate()', async () => {
    await t().user('ivy');
    const res = await send('GET', app(APP_ROUTES.notes), { headers: basic('ivy', PASSWORD) });
    expect(res.body).toEqual({ user: 'ivy', scheme: 'basic' });
  });

  it('refuses wrong credentials even where anonymous callers are welcome (DRF)', async () => {
    await t().user('jack');
    const res = await send('GET', app(APP_ROUTES.notes), { headers: basic('jack', 'nope') });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="api"');
  });

  it('guards a route with requireAuth(): 401 with the challenge, then the handler runs', async () => {
    const anon = await send('POST', app(APP_ROUTES.notes), { body: { text: 'hi' } });
    expect(anon.status).toBe(401);
    expect(anon.body).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
    expect(anon.headers.get('www-authenticate')).toBe('Basic realm="api"');
    expect(anon.headers.get('vary')).toBe('Cookie, Authorization');
    expect(anon.headers.get('cache-control')).toBe('no-store');
    await t().user('kate');
    const res = await send('POST', app(APP_ROUTES.notes), {
      body: { text: 'hi' },
      headers: basic('kate', PASSWORD),
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ owner: 'kate', text: 'hi' });
    expect(res.headers.get('vary')).toMatch(/Cookie, Authorization/);
  });

  it('checks a permission: requireAuth(isAdmin) is 403 for a user, 200 for staff', async () => {
    await t().user('leo');
    await t().user('mia', { isAdmin: true });
    const user = await send('GET', app(APP_ROUTES.admin), { headers: basic('leo', PASSWORD) });
    expect(user.status).toBe(403);
    expect(user.body).toEqual({
      detail: 'You do not have permission to perform this action.',
      code: 'permission_denied',
    });
    expect((await send('GET', app(APP_ROUTES.admin))).status).toBe(401);
    const staff = await send('GET', app(APP_ROUTES.admin), { headers: basic('mia', PASSWORD) });
    expect(staff.status).toBe(200);
    expect(staff.body).toEqual({ user: 'mia', scheme: 'basic' });
  });

  it('lets a route choose its own schemes (DRF’s authentication_classes)', async () => {
    await t().user('ned');
    const ok = await send('GET', app(APP_ROUTES.basicOnly), { headers: basic('ned', PASSWORD) });
    expect(ok.status).toBe(200);
    // A route that takes API tokens only does not accept Basic credentials.
    const other = await send('GET', app(APP_ROUTES.tokenOnly), { headers: basic('ned', PASSWORD) });
    expect(other.status).toBeGreaterThanOrEqual(401);
    expect(other.status).toBeLessThanOrEqual(403);
    expect(other.body).toMatchObject({ code: 'not_authenticated' });
  });

  it('answers a gatehouse error thrown by the app’s own handler in DRF’s shape', async () => {
    const res = await send('GET', app(APP_ROUTES.boom));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'Not your note.', code: 'not_owner' });
  });

  it('logs a plain error thrown by the app’s own handler with its stack, by default', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await send('GET', app(APP_ROUTES.crash));
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ detail: 'A server error occurred.', code: 'server_error' });
      const text = logged.mock.calls.flat().map(String).join('\n');
      expect(text).toContain('the notes table is on fire');
      expect(text).toMatch(/\n\s+at crash \(/);
    } finally {
      logged.mockRestore();
    }
  });
});

describe.each(ADAPTER_TARGETS)('guards with API tokens on the $name adapter', (target) => {
  const t = useTarget(target, { authentication: ['token', 'basic'] });
  const app = (path: string) => `${t().origin}${path}`;

  /** A key made by its owner with these scopes. */
  async function key(username: string, scopes: string[]): Promise<Record<string, string>> {
    await t().user(username);
    const res = await send('POST', `${t().base}/api/auth/tokens/`, {
      headers: basic(username, PASSWORD),
      body: { scopes },
    });
    expect(res.status).toBe(201);
    return { authorization: `Token ${(res.body as { key: string }).key}` };
  }

  it('takes a token on a token-only route and challenges a Basic caller with Token', async () => {
    const auth = await key('sam', []);
    const ok = await send('GET', app(APP_ROUTES.tokenOnly), { headers: auth });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ user: 'sam', scheme: 'token' });
    const other = await send('GET', app(APP_ROUTES.tokenOnly), { headers: basic('sam', PASSWORD) });
    expect(other.status).toBe(401);
    expect(other.headers.get('www-authenticate')).toBe('Token');
    // A Basic-only route challenges with Basic even though Token comes first in the config.
    const basicOnly = await send('GET', app(APP_ROUTES.basicOnly), { headers: auth });
    expect(basicOnly.status).toBe(401);
    expect(basicOnly.headers.get('www-authenticate')).toBe('Basic realm="api"');
  });

  it('checks a token’s scopes with hasScope()', async () => {
    const reader = await key('tess', ['notes:read']);
    const denied = await send('GET', app(APP_ROUTES.scoped), { headers: reader });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'insufficient_scope' });
    const writer = await key('uma', ['notes:write']);
    expect((await send('GET', app(APP_ROUTES.scoped), { headers: writer })).status).toBe(200);
    // An unscoped credential (a password, a token without scopes) has the user's full rights.
    expect((await send('GET', app(APP_ROUTES.scoped), { headers: basic('uma', PASSWORD) })).status).toBe(200);
    expect((await send('GET', app(APP_ROUTES.scoped))).status).toBe(401);
  });
});
