/**
 * A notes API on Hono with gatehouse: anyone may list the notes, creating one needs a user.
 *
 *   npm run example:hono      # then the same curl calls as in examples/express/server.ts
 */
import { serve } from '@hono/node-server';
import { createGatehouse, openStores } from 'gatehouse-auth';
import {
  authenticate,
  errorHandler,
  type GatehouseEnv,
  gatehouse,
  notFound,
  requireAuth,
} from 'gatehouse-auth/hono';
import { Hono } from 'hono';
import { createNotes, exampleConfig, listenAddress } from '../shared.js';

const config = exampleConfig();
const gh = createGatehouse({ config, stores: await openStores(config) });
const notes = createNotes();

const app = new Hono<GatehouseEnv>();
app.use(gatehouse(gh, { prefix: '/auth' }));

app.get('/notes', authenticate(), (c) =>
  c.json({ notes: notes.list(), you: c.get('user')?.username ?? null }),
);

app.post('/notes', requireAuth(), async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as { text?: unknown };
  // After requireAuth() the user is typed as present: no `!` needed.
  return c.json(notes.add(c.get('user').username, body.text), 201);
});

app.notFound(notFound);
app.onError(errorHandler);

const { port, host } = listenAddress();
serve({ fetch: app.fetch, port, hostname: host }, (info) => {
  console.log(`notes API (hono) listening on http://${host}:${info.port}`);
});
