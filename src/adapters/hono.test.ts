import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
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
