import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import {
  authenticate,
  errorHandler,
  frameworkErrors,
  gatehousePlugin,
  hasScope,
  isAdmin,
  isAuthenticated,
  notFound,
  requireAuth,
} from '../../../src/adapters/fastify.js';
import type { Gatehouse } from '../../../src/contract/gatehouse.js';
import { clientErrorHandler } from '../../../src/index.js';
import { APP_ROUTES, boom, crash, visit, whoBody } from './routes.js';

/** The test app on Fastify with the plugin; resolves once it listens. */
export async function startFastifyApp(gh: Gatehouse, prefix: string) {
  const app = Fastify({ logger: false, clientErrorHandler, frameworkErrors });
  await app.register(gatehousePlugin, { gatehouse: gh, prefix });
  app.get(APP_ROUTES.notes, { preHandler: authenticate() }, async (req) =>
    whoBody(req.user, req.auth?.scheme ?? null),
  );
  app.post(APP_ROUTES.notes, { preHandler: requireAuth() }, async (req, reply) => {
    reply.code(201);
    return { owner: req.user!.username, text: (req.body as { text?: string } | undefined)?.text ?? '' };
  });
  app.get(APP_ROUTES.admin, { preHandler: requireAuth(isAdmin) }, async (req) =>
    whoBody(req.user, req.auth!.scheme),
  );
  app.get(APP_ROUTES.basicOnly, { preHandler: requireAuth(isAuthenticated, ['basic']) }, async (req) =>
    whoBody(req.user, req.auth!.scheme),
  );
  app.get(APP_ROUTES.tokenOnly, { preHandler: requireAuth(isAuthenticated, ['token']) }, async (req) =>
    whoBody(req.user, req.auth!.scheme),
  );
  app.get(APP_ROUTES.scoped, { preHandler: requireAuth(hasScope('notes:write')) }, async (req) =>
    whoBody(req.user, req.auth!.scheme),
  );
  app.get(APP_ROUTES.visits, { preHandler: requireAuth(isAuthenticated, ['session']) }, async (req) =>
    visit(req.auth),
  );
  app.get(APP_ROUTES.boom, async () => boom());
  app.get(APP_ROUTES.crash, async () => crash());
  app.setNotFoundHandler(notFound);
  app.setErrorHandler(errorHandler);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    origin: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: () => app.close(),
  };
}
