/**
 * A notes API on Express with gatehouse: anyone may list the notes, creating one needs a user.
 *
 *   npm run example:express
 *   curl -X POST localhost:3000/auth/api/auth/register/ -H 'content-type: application/json' \
 *        -d '{"username":"ada","password":"a long passphrase"}'
 *   curl -X POST localhost:3000/auth/api-token-auth/ -H 'content-type: application/json' \
 *        -d '{"username":"ada","password":"a long passphrase"}'          # → {"token": "gat_…"}
 *   # (or a JWT pair: POST /auth/api/token/ with the same body, then 'authorization: Bearer <access>')
 *   curl -X POST localhost:3000/notes -H 'authorization: Token gat_…' \
 *        -H 'content-type: application/json' -d '{"text":"hello"}'
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createGatehouse, openStores } from 'gatehouse-auth';
import { authenticate, errorHandler, gatehouse, notFound, requireAuth } from 'gatehouse-auth/express';
import { createNotes, exampleConfig, listenAddress } from '../shared.js';

const config = exampleConfig();
const gh = createGatehouse({ config, stores: await openStores(config) });
const notes = createNotes();

const app = express();
// First: the contract's routes under /auth read their own bodies.
app.use(gatehouse(gh, { prefix: '/auth' }));
app.use(express.json());

app.get('/notes', authenticate(), (req, res) => {
  res.json({ notes: notes.list(), you: req.user?.username ?? null });
});

app.post('/notes', requireAuth(), (req, res) => {
  res.status(201).json(notes.add(req.user!.username, req.body?.text));
});

app.use(notFound());
app.use(errorHandler());

const { port, host } = listenAddress();
const server = app.listen(port, host, () => {
  const { port: actual } = server.address() as AddressInfo;
  console.log(`notes API (express) listening on http://${host}:${actual}`);
});
