import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  authenticate,
  errorHandler,
  gatehouse,
  hasScope,
  isAdmin,
  isAuthenticated,
  notFound,
  requireAuth,
} from '../../../src/adapters/express.js';
import type { Gatehouse } from '../../../src/contract/gatehouse.js';
import { clientErrorHandler } from '../../../src/index.js';
import { APP_ROUTES, boom, crash, visit, whoBody } from './routes.js';

/** The test app on Express 5; resolves once it listens on 127.0.0.1 with a free port. */
export async function startExpressApp(gh: Gatehouse, prefix: string) {
  const app = express();
  app.use(gatehouse(gh, { prefix }));
  // The app's own body parser, after gatehouse: the contract reads its bodies itself.
  app.use(express.json());
  app.get(APP_ROUTES.notes, authenticate(), (req, res) => {
    res.json(whoBody(req.user, req.auth?.scheme ?? null));
  });
  app.post(APP_ROUTES.notes, requireAuth(), (req, res) => {
    res.status(201).json({ owner: req.user!.username, text: (req.body as { text?: string }).text ?? '' });
  });
  app.get(APP_ROUTES.admin, requireAuth(isAdmin), (req, res) => {
    res.json(whoBody(req.user, req.auth!.scheme));
  });
  app.get(APP_ROUTES.basicOnly, requireAuth(isAuthenticated, ['basic']), (req, res) => {
    res.json(whoBody(req.user, req.auth!.scheme));
  });
  app.get(APP_ROUTES.tokenOnly, requireAuth(isAuthenticated, ['token']), (req, res) => {
    res.json(whoBody(req.user, req.auth!.scheme));
  });
  app.get(APP_ROUTES.scoped, requireAuth(hasScope('notes:write')), (req, res) => {
    res.json(whoBody(req.user, req.auth!.scheme));
  });
  app.get(APP_ROUTES.visits, requireAuth(isAuthenticated, ['session']), (req, res) => {
    res.json(visit(req.auth));
  });
  app.get(APP_ROUTES.boom, () => boom());
  app.get(APP_ROUTES.crash, () => crash());
  app.use(notFound());
  app.use(errorHandler());
  const server = app.listen(0, '127.0.0.1');
  server.on('clientError', clientErrorHandler);
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
