/**
 * A consumer of gatehouse/express, type-checked by `tsc` (never run): declaration merging gives
 * `req.user` and `req.auth` their types on every Express request.
 */
import express from 'express';
import {
  authenticate,
  errorHandler,
  gatehouse,
  hasScope,
  isAdmin,
  notFound,
  requireAuth,
} from '../../src/adapters/express.js';
import type { Gatehouse } from '../../src/contract/gatehouse.js';
import type { UserRecord } from '../../src/stores/types.js';

export function expressConsumer(gh: Gatehouse): express.Express {
  const app = express();
  app.use(gatehouse(gh, { prefix: '/auth' }));
  app.use(express.json());
  app.get('/notes', authenticate(), (req, res) => {
    const name: string | undefined = req.user?.username;
    res.json({ name, scheme: req.auth?.scheme ?? null });
  });
  app.post('/notes', requireAuth(hasScope('notes:write')), (req, res) => {
    if (!req.user) throw new Error('requireAuth() let an anonymous caller through');
    const name: string = req.user.username;
    const admin: boolean = req.user.isAdmin;
    res.status(201).json({ owner: name, admin });
  });
  app.get('/admin', requireAuth(isAdmin, ['token']), (req, res) => {
    const user: UserRecord | null = req.user;
    // The type is honest: Express cannot know a guard ran, so the user may be null.
    // @ts-expect-error possibly null without a check
    res.json({ name: req.user.username, id: user?.id });
  });
  app.use(notFound());
  app.use(errorHandler());
  return app;
}
