/**
 * Runs one autocannon load in its own process (the bench never generates load from the process
 * that measures), then prints its result as one JSON line. SIGINT stops the run early.
 *
 *   node --import jiti/register bench/lib/load/autocannon-worker.ts <spec.json>
 */
import { readFileSync } from 'node:fs';
import autocannon, { type AutocannonRequest } from 'autocannon';
import type { LoadSpec } from './types.js';

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;

function chainRequests(path: string, pool: string[]): AutocannonRequest[] {
  // A pool shared by the connections (autocannon resets a connection's context after each pass
  // of a one-request list, so the chain cannot live there).
  return [
    {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ refresh: pool.shift() ?? 'exhausted' }) }),
      onResponse: (status, body) => {
        if (status !== 200) return;
        const next = (JSON.parse(body) as { refresh?: string }).refresh;
        if (next) pool.push(next);
      },
    },
  ];
}

const instance = autocannon({
  url: spec.origin,
  connections: spec.connections,
  duration: spec.durationS,
  timeout: 10,
  requests: spec.chain
    ? chainRequests(spec.chain.path, [...spec.chain.pool])
    : spec.requests.map((r) => ({ method: r.method, path: r.path, headers: r.headers, body: r.body })),
});
process.once('SIGINT', () => instance.stop());
const r = await instance;
process.stdout.write(
  `${JSON.stringify({
    requests: r.requests.total,
    durationS: r.duration,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  })}\n`,
);
