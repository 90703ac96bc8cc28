// Peer: Fastify + @fastify/jwt verifying an HS256 bearer token on each request, without a user
// lookup (compare with gatehouse's JWT HS256 stateless case). POST /login mints a token without
// checking any password: only verification is measured.
import fastifyJwt from '@fastify/jwt';
import Fastify from 'fastify';
import { announce, benchPort, gatehouseLikeFastifyOptions, meBody } from './common.mjs';

const port = benchPort();
const app = Fastify(gatehouseLikeFastifyOptions());
await app.register(fastifyJwt, { secret: process.env.BENCH_JWT_SECRET ?? 'x'.repeat(48) });
app.post('/login', async () => ({
  access: app.jwt.sign({ user_id: 1, username: 'user00' }, { expiresIn: '1h' }),
}));
app.get('/api/me/', async (request, reply) => {
  let claims;
  try {
    claims = await request.jwtVerify();
  } catch {
    return reply.code(401).send({ detail: 'Given token not valid for any token type' });
  }
  return meBody(claims.user_id, claims.username, 'jwt');
});
await app.listen({ host: '127.0.0.1', port });
announce(port);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
