// Peer: Express 5 + express-session with its default MemoryStore (what the issue measured), a
// signed `connect.sid` cookie, no re-save of unchanged sessions. POST /login starts a session
// without checking any password: only the per-request session load is measured.
import express from 'express';
import session from 'express-session';
import { announce, benchPort, meBody } from './common.mjs';

const port = benchPort();
const app = express();
app.use(
  session({
    secret: process.env.BENCH_SESSION_SECRET ?? 'x'.repeat(48),
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax' },
  }),
);
app.post('/login', (req, res) => {
  req.session.userId = 1;
  res.json({ ok: true });
});
app.get('/api/me/', (req, res) => {
  if (req.session.userId === undefined) {
    res.status(403).json({ detail: 'Authentication credentials were not provided.' });
    return;
  }
  res.json(meBody(req.session.userId, 'user00', 'session'));
});
const server = app.listen(port, '127.0.0.1', () => announce(port));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
