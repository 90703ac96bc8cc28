/**
 * A notes API on Fastify with gatehouse: anyone may list the notes, creating one needs a user.
 *
 *   npm run example:fastify   # then the same curl calls as in examples/express/server.ts
 */
import Fastify from 'fastify';
import { createGatehouse, openStores } from 'gatehouse-auth';
import { authenticate, errorHandler, gatehousePlugin, notFound, requireAuth } from 'gatehouse-auth/fastify';
import { createNotes, exampleConfig, listenAddress } from '../shared.js';

const config = exampleConfig();
const gh = createGatehouse({ config, stores: await openStores(config) });
const notes = createNotes();

const app = Fastify({ logger: { level: config.logLevel } });
await app.register(gatehousePlugin, { gatehouse: gh, prefix: '/auth' });

app.get('/notes', { preHandler: authenticate() }, async (req) => ({
  notes: notes.list(),
  you: req.user?.username ?? null,
}));

app.post('/notes', { preHandler: requireAuth() }, async (req, reply) => {
  reply.code(201);
  return notes.add(req.user!.username, (req.body as { text?: unknown } | undefined)?.text);
});

app.setNotFoundHandler(notFound);
app.setErrorHandler(errorHandler);
// The stores close with the app (SIGINT/SIGTERM from the terminal end it).
app.addHook('onClose', () => gh.ctx.stores.close());

const { port, host } = listenAddress();
const address = await app.listen({ port, host });
console.log(`notes API (fastify) listening on ${address}`);
