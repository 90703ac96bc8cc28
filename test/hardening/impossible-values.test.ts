/**
 * Requests that name what cannot exist, on every backend (PostgreSQL refused them with an error,
 * and each answered 500): a NUL in a path id or a token's name, a validly signed JWT whose
 * `user_id` is past 2^31-1. Each is a 4xx.
 */
import { expect, it } from 'vitest';
import { jwtGatehouse } from '../helpers/jwt.js';
import { describeBackends, holding, perTest } from '../stores/backends.js';

describeBackends(
  'requests naming what cannot exist',
  (backend) => {
    const b = perTest(backend);
    const setup = () => jwtGatehouse({}, { authentication: ['token', 'jwt'] }, { stores: b.stores });

    it('DELETE /api/auth/tokens/%00/ is 404; a token named with a NUL is 400', async () => {
      const t = await setup();
      const obtained = await t.call('POST', '/api-token-auth/', {
        body: { username: 'alice', password: 'correct horse battery staple' },
      });
      const auth = { authorization: `Token ${(obtained.body as { token: string }).token}` };
      const del = await t.call('DELETE', '/api/auth/tokens/%00/', { headers: auth });
      expect(del.status).toBe(404);
      const named = await t.call('POST', '/api/auth/tokens/', { headers: auth, body: { name: 'a\0b' } });
      expect(named.status).toBe(400);
      expect(named.body).toEqual({ name: ['Null characters are not allowed.'] });
    });

    it('a signed access token for user_id 2^40 is 401, as for any user that does not exist', async () => {
      const t = await setup();
      const { access } = await t.login();
      const [, p] = access.split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
      const res = await t.me(t.sign({ ...payload, user_id: 2 ** 40 }));
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'user_not_found' });
    });
  },
  holding('users'),
);
