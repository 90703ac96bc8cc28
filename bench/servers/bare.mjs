// The baseline: Fastify with gatehouse's server options and one route that authenticates
// nothing. Every case is reported as a ratio to this server's rate in the same run.
import Fastify from 'fastify';
import { announce, benchPort, gatehouseLikeFastifyOptions, meBody } from './common.mjs';

const port = benchPort();
// The calibration cases: the same route spending BENCH_WORK_US µs of CPU per request, to show
// what a fixed amount of work per request costs in rate on this machine (docs/performance.md).
const workNs = BigInt(Math.round(Number(process.env.BENCH_WORK_US ?? 0) * 1000));
const app = Fastify(gatehouseLikeFastifyOptions());
const body = meBody(1, 'user00', 'none');
if (workNs === 0n) app.get('/api/me/', async () => body);
else
  app.get('/api/me/', async () => {
    const start = process.hrtime.bigint();
    while (process.hrtime.bigint() - start < workNs);
    return body;
  });
await app.listen({ host: '127.0.0.1', port });
announce(port);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
