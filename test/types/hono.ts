/**
 * A consumer of gatehouse/hono, type-checked by `tsc` (never run): the env generic types
 * `c.get('user')`, and after `requireAuth()` the user is known to be there.
 */
import { Hono } from 'hono';
import {
  authenticate,
  errorHandler,
  type GatehouseEnv,
  gatehouse,
  hasScope,
  isAdmin,
  notFound,
  requireAuth,
} from '../../src/adapters/hono.js';
import type { Gatehouse } from '../../src/contract/gatehouse.js';
import type { UserRecord } from '../../src/stores/types.js';

export function honoConsumer(gh: Gatehouse): Hono<GatehouseEnv> {
  const app = new Hono<GatehouseEnv>();
  app.use(gatehouse(gh, { prefix: '/auth' }));
  app.get('/notes', authenticate(), (c) => {
    const user: UserRecord | null = c.get('user');
    // @ts-expect-error anonymous callers pass authenticate(): the user may be null
    const unchecked: string = c.get('user').username;
    return c.json({ name: user?.username ?? null, unchecked });
  });
  app.post('/notes', requireAuth(hasScope('notes:write')), (c) => {
    const name: string = c.get('user').username;
    const scheme: string = c.get('auth').scheme;
    return c.json({ owner: name, scheme }, 201);
  });
  app.get('/admin', requireAuth(isAdmin, ['token']), (c) => c.json({ name: c.get('user').username }));
  // Without the app's env, the guard's own env still types the handler.
  new Hono().get('/plain', requireAuth(), (c) => c.text(c.get('user').username));
  app.notFound(notFound);
  app.onError(errorHandler);
  return app;
}
