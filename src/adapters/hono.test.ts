import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { basicAuth, makeGatehouse } from '../../test/helpers/gatehouse.js';
import type { Permission } from '../core/permissions.js';
import { type GatehouseEnv, gatehouse, requireAuth } from './hono.js';

describe('the Hono adapter’s clientIp option', () => {
  it('reaches the guards of its own app, even when two apps share one gatehouse', async () => {
    const t = await makeGatehouse({ authentication: ['basic'] });
    await t.user('ann', 'correct horse battery staple');
    const seen: string[] = [];
    const recordIp: Permission = {
      has: (req) => {
        seen.push(req.ip);
        return true;
      },
    };
    const appFor = (ip: string) => {
      const app = new Hono<GatehouseEnv>();
      app.use(gatehouse(t.gh, { routes: false, clientIp: () => ip }));
      app.get('/who', requireAuth(recordIp), (c) => c.text(c.get('user').username));
      return app;
    };
    // Both built before either answers: the reader is the request's, not the gatehouse's.
    const first = appFor('203.0.113.1');
    const second = appFor('203.0.113.2');
    const headers = { authorization: basicAuth('ann', 'correct horse battery staple') };
    expect((await first.request('/who', { headers })).status).toBe(200);
    expect((await second.request('/who', { headers })).status).toBe(200);
    expect(seen).toEqual(['203.0.113.1', '203.0.113.2']);
  });
});

describe('the Hono adapter without a client address', () => {
  const PW = 'correct horse battery staple';
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** An app run through `app.request()`, as on Bun, Deno or Workers: no socket to read. */
  const setup = async (clientIp?: () => string) => {
    const t = await makeGatehouse({ authentication: ['token', 'basic'] });
    await t.user('ann', PW);
    const errors: string[] = [];
    vi.spyOn(t.gh.ctx.logger, 'error').mockImplementation((_obj, msg) => {
      errors.push(msg ?? '');
    });
    const app = new Hono<GatehouseEnv>();
    app.use(gatehouse(t.gh, clientIp ? { clientIp } : {}));
    app.get('/who', requireAuth(), (c) => c.text(c.get('user').username));
    app.get('/open', (c) => c.text('open'));
    return { app, errors };
  };
  const login = (app: Hono<GatehouseEnv>, password: string) =>
    app.request('/api-token-auth/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ann', password }),
    });

  it('refuses the requests gatehouse handles with 503, so no one shares a throttle bucket', async () => {
    const { app, errors } = await setup();
    // Before: every client was '' and five wrong guesses from anyone backed the real user off.
    for (let i = 0; i < 6; i++) expect((await login(app, 'wrong')).status).toBe(503);
    const res = await login(app, PW);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail:
        "The server cannot tell the client's address, which sign-in throttling needs (see the clientIp option).",
      code: 'client_address_unknown',
    });
    const guarded = await app.request('/who', { headers: { authorization: basicAuth('ann', PW) } });
    expect(guarded.status).toBe(503);
    // The app's own unguarded routes need no address.
    expect((await app.request('/open')).status).toBe(200);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('clientIp');
  });

  it('works as before once clientIp reads an address', async () => {
    const { app, errors } = await setup(() => '203.0.113.5');
    expect((await login(app, PW)).status).toBe(200);
    const guarded = await app.request('/who', { headers: { authorization: basicAuth('ann', PW) } });
    expect(await guarded.text()).toBe('ann');
    expect(errors).toEqual([]);
  });
});
