// The baseline: Fastify with gatehouse's server options and one route that authenticates
// nothing. Every case is reported as a ratio to this server's rate in the same run.
import Fastify from 'fastify';
import { announce, benchPort, gatehouseLikeFastifyOptions, meBody } from './common.mjs';

const port = benchPort();
const app = Fastify(gatehouseLikeFastifyOptions());
const body = meBody(1, 'user00', 'none');
app.get('/api/me/', async () => body);
await app.listen({ host: '127.0.0.1', port });
announce(port);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
