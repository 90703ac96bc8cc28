/**
 * A consumer of gatehouse/fastify, type-checked by `tsc` (never run): the plugin's declaration
 * merging types `request.user`, `request.auth` and `fastify.gatehouse`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import {
  authenticate,
  errorHandler,
  gatehousePlugin,
  hasScope,
  isAdmin,
  notFound,
  requireAuth,
} from '../../src/adapters/fastify.js';
import type { Gatehouse } from '../../src/contract/gatehouse.js';

export async function fastifyConsumer(gh: Gatehouse): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(gatehousePlugin, { gatehouse: gh, prefix: '/auth' });
  const same: Gatehouse = app.gatehouse;
  app.get('/notes', { preHandler: authenticate() }, async (request) => ({
    name: request.user?.username ?? null,
    scheme: request.auth?.scheme ?? null,
    configured: same.ctx.config.authentication,
  }));
  app.post('/notes', { preHandler: requireAuth(hasScope('notes:write')) }, async (request, reply) => {
    if (!request.user) throw new Error('requireAuth() let an anonymous caller through');
    const name: string = request.user.username;
    reply.code(201);
    return { owner: name };
  });
  app.get('/admin', { preHandler: requireAuth(isAdmin, ['jwt']) }, async (request) => {
    // @ts-expect-error possibly null without a check
    return { name: request.user.username };
  });
  app.setNotFoundHandler(notFound);
  app.setErrorHandler(errorHandler);
  return app;
}
