import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import {
  authenticate,
  errorHandler,
  type GatehouseEnv,
  gatehouse,
  hasScope,
  isAdmin,
  isAuthenticated,
  notFound,
  requireAuth,
} from '../../../src/adapters/hono.js';
import type { Gatehouse } from '../../../src/contract/gatehouse.js';
import { clientErrorHandler } from '../../../src/index.js';
import { APP_ROUTES, boom, crash, visit, whoBody } from './routes.js';

/** The test app on Hono over @hono/node-server; resolves once it listens. */
export async function startHonoApp(gh: Gatehouse, prefix: string) {
  const app = new Hono<GatehouseEnv>();
  app.use(gatehouse(gh, { prefix }));
  app.get(APP_ROUTES.notes, authenticate(), (c) =>
    c.json(whoBody(c.get('user'), c.get('auth')?.scheme ?? null)),
  );
  app.post(APP_ROUTES.notes, requireAuth(), async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { text?: string };
    return c.json({ owner: c.get('user').username, text: body.text ?? '' }, 201);
  });
  app.get(APP_ROUTES.admin, requireAuth(isAdmin), (c) =>
    c.json(whoBody(c.get('user'), c.get('auth').scheme)),
  );
  app.get(APP_ROUTES.basicOnly, requireAuth(isAuthenticated, ['basic']), (c) =>
    c.json(whoBody(c.get('user'), c.get('auth').scheme)),
  );
  app.get(APP_ROUTES.tokenOnly, requireAuth(isAuthenticated, ['token']), (c) =>
    c.json(whoBody(c.get('user'), c.get('auth').scheme)),
  );
  app.get(APP_ROUTES.scoped, requireAuth(hasScope('notes:write')), (c) =>
    c.json(whoBody(c.get('user'), c.get('auth').scheme)),
  );
  app.get(APP_ROUTES.visits, requireAuth(isAuthenticated, ['session']), (c) => c.json(visit(c.get('auth'))));
  app.get(APP_ROUTES.boom, () => boom());
  app.get(APP_ROUTES.crash, () => crash());
  app.notFound(notFound);
  app.onError(errorHandler);
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    server.on('clientError', clientErrorHandler);
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server!.close(() => resolve())),
  };
}
