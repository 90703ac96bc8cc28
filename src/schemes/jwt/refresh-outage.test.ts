import { describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../../test/helpers/gatehouse.js';
import { StoreUnavailable } from '../../stores/errors.js';

const PW = 'correct horse battery staple';

describe('refresh while the users store is down', () => {
  it('answers 503 without spending the token, so the retry succeeds instead of looking like a replay', async () => {
    const t = await makeGatehouse({ authentication: ['jwt'] });
    await t.user('alice', PW);
    const pair = await t.call('POST', '/api/token/', { body: { username: 'alice', password: PW } });
    const { refresh } = pair.body as { refresh: string };
    const findById = t.stores.users.findById.bind(t.stores.users);
    t.stores.users.findById = async () => {
      throw new StoreUnavailable('users');
    };
    const down = await t.call('POST', '/api/token/refresh/', { body: { refresh } });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'service_unavailable' });
    t.stores.users.findById = findById;
    const retry = await t.call('POST', '/api/token/refresh/', { body: { refresh } });
    expect(retry.status).toBe(200);
    expect(retry.body).toHaveProperty('access');
  });
});
