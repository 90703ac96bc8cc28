import { describe, expect, it } from 'vitest';
import { basic, send } from './http.js';
import { PASSWORD, TARGETS, useTarget } from './targets.js';

// Revocation across schemes: tokens made by a caller who logged in another way, and ended by
// logout-all. (The token wire itself is in tokens.test.ts.)
describe.each(TARGETS)('API token revocation on $name', (target) => {
  const t = useTarget(target, { authentication: ['token', 'basic'] });

  it('lets a Basic caller manage tokens; a revoked key stops at once, and revoking again is 404', async () => {
    await t().user('quinn');
    const owner = basic('quinn', PASSWORD);
    const made = await send('POST', `${t().base}/api/auth/tokens/`, {
      headers: owner,
      body: { name: 'laptop' },
    });
    expect(made.status).toBe(201);
    const { id, key } = made.body as { id: string; key: string };
    const auth = { authorization: `Token ${key}` };
    expect((await send('GET', `${t().base}/api/me/`, { headers: auth })).status).toBe(200);
    expect((await send('DELETE', `${t().base}/api/auth/tokens/${id}/`, { headers: owner })).status).toBe(204);
    const after = await send('GET', `${t().base}/api/me/`, { headers: auth });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toBe('Token');
    const again = await send('DELETE', `${t().base}/api/auth/tokens/${id}`, { headers: owner });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: 'Not found.', code: 'not_found' });
  });

  it('ends every token of the user at logout-all', async () => {
    await t().user('rita');
    const res = await send('POST', `${t().base}/api-token-auth/`, {
      body: { username: 'rita', password: PASSWORD },
    });
    const auth = { authorization: `Token ${(res.body as { token: string }).token}` };
    expect((await send('POST', `${t().base}/api/auth/logout-all/`, { headers: auth })).status).toBe(204);
    expect((await send('GET', `${t().base}/api/me/`, { headers: auth })).status).toBe(401);
  });
});
