/**
 * `npm run bench -- --production`: the /api/me/ cases and the refresh chain on the production
 * configuration — users and API tokens in PostgreSQL, sessions, refresh state and rate limits in
 * Redis (docs/deployment.md) — as one instance, two instances behind HAProxy, and one
 * `--workers 2` server. Each measured run also counts what the stores were sent per request
 * (pg_stat_statements, Redis INFO commandstats): the round trips behind the CPU figures.
 */
import { readFileSync } from 'node:fs';
import { findHaproxy, PROXY_ADDRESS, startHaproxy } from '../../test/multi/haproxy.js';
import { type BenchUser, expectMe, Unavailable } from './credentials.js';
import { type GatehouseServer, startGatehouse } from './gatehouse.js';
import { credentials, type Measured, refreshChain } from './gatehouse-cases.js';
import { cpuMsOf, processTree, type ServerProcess } from './process.js';
import { type CaseMeta, meRequests, type Runner } from './runner.js';
import { type BenchServices, type PerRequest, perRequest } from './services.js';

export interface ProductionBench {
  dir: string;
  secretKey: string;
  /** Users already seeded in `services.postgresUrl`. */
  users: BenchUser[];
  services: BenchServices;
  readyMs: Record<string, number>;
  notes: string[];
  /** Store statements and commands per request, by case id. */
  roundTrips: Record<string, PerRequest>;
}

/** The schemes in DRF's order, as in the SQLite cases. */
const AUTHENTICATION = ['session', 'token', 'jwt'];

interface Topology {
  /** Prefix of the case ids: `pg-token`, `lb-session`, `workers-refresh` … */
  id: string;
  start: (bench: ProductionBench) => Promise<TopologyServer>;
}

/** A server (or a proxy and its instances) the cases run against. */
interface TopologyServer extends ServerProcess {
  authentication: string[];
  missing: string | null;
  /** CPU of helpers beside the gatehouse processes (HAProxy), ms so far; 0 when none. */
  helperCpuMs(): number;
}

function cases(prefix: string) {
  const sessionsIn = prefix === 'sql' ? 'PostgreSQL' : 'Redis';
  return {
    jwt: { id: `${prefix}-jwt-hs256`, label: 'GET /api/me/ JWT HS256 (user checked)', group: 'gatehouse' },
    token: { id: `${prefix}-token`, label: 'GET /api/me/ API token (PostgreSQL)', group: 'gatehouse' },
    session: {
      id: `${prefix}-session`,
      label: `GET /api/me/ session cookie (${sessionsIn})`,
      group: 'gatehouse',
    },
    refresh: {
      id: `${prefix}-refresh`,
      label: 'POST /api/token/refresh/ chain (rotation)',
      group: 'gatehouse',
    },
  } as const satisfies Record<string, CaseMeta>;
}

/**
 * The case ids `--production` runs by default: every case on the three topologies, and on
 * PostgreSQL alone the two whose stores move (sessions and refresh state out of Redis).
 */
export const PRODUCTION_CASE_IDS = [
  ...['pg', 'lb', 'workers'].flatMap((p) => Object.values(cases(p)).map((c) => c.id)),
  'sql-session',
  'sql-refresh',
];

function instance(
  bench: ProductionBench,
  name: string,
  env: NodeJS.ProcessEnv,
  redis = true,
): Promise<GatehouseServer> {
  return startGatehouse({
    dir: bench.dir,
    databaseUrl: bench.services.postgresUrl,
    secretKey: bench.secretKey,
    variant: { name, jwt: {} },
    authentication: AUTHENTICATION,
    env: { ...(redis ? { GATEHOUSE_REDIS_URL: bench.services.redisUrl } : {}), ...env },
  });
}

const alone = (srv: GatehouseServer): TopologyServer => Object.assign(srv, { helperCpuMs: () => 0 });

const TOPOLOGIES: Topology[] = [
  { id: 'pg', start: async (bench) => alone(await instance(bench, 'postgres-redis', {})) },
  { id: 'lb', start: behindHaproxy },
  {
    id: 'workers',
    start: async (bench) => {
      const srv = alone(await instance(bench, 'workers-2', { GATEHOUSE_WORKERS: '2' }));
      return Object.assign(srv, { name: 'gatehouse --workers 2' });
    },
  },
  {
    // Everything in PostgreSQL: a session and its user in one joined read, as on SQLite.
    id: 'sql',
    start: async (bench) => alone(await instance(bench, 'postgres-only', {}, false)),
  },
];

/**
 * Two instances behind HAProxy, as docs/deployment.md runs them: each trusts only the proxy's
 * address for X-Forwarded-For. The CPU per request is both instances'; HAProxy's is reported
 * beside it.
 */
async function behindHaproxy(bench: ProductionBench): Promise<TopologyServer> {
  const binary = findHaproxy();
  if (!binary) throw new Unavailable('haproxy is not installed (apt-get install haproxy)');
  const env = { GATEHOUSE_TRUST_PROXY: PROXY_ADDRESS };
  const a = await instance(bench, 'haproxy-a', env);
  let second: GatehouseServer | undefined;
  try {
    const b = await instance(bench, 'haproxy-b', env);
    second = b;
    const balancer = await startHaproxy(binary, [a.origin, b.origin]);
    const haproxyPids = childrenNamed('haproxy');
    const both = [a, b];
    return {
      name: '2 × gatehouse + HAProxy',
      pid: a.pid,
      origin: balancer.url,
      readyMs: Math.max(a.readyMs, b.readyMs),
      rssKb: () => a.rssKb() + b.rssKb(),
      cpuMs: () => a.cpuMs() + b.cpuMs(),
      helperCpuMs: () => haproxyPids.reduce((s, pid) => s + cpuMsOf(pid), 0),
      stderr: () => both.map((s) => s.stderr()).join(''),
      authentication: a.authentication,
      missing: a.missing,
      stop: async () => {
        await balancer.stop();
        await Promise.all(both.map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.all([a.stop(), second?.stop()]);
    throw err;
  }
}

/** Processes below this one whose command name is `name` (the HAProxy just started). */
function childrenNamed(name: string): number[] {
  return processTree(process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
    } catch {
      return false;
    }
  });
}

/**
 * Every production case on every topology, one server (or proxy and instances) at a time.
 *
 * @example
 * await productionCases(runner, { dir, secretKey, users, services, readyMs, notes, roundTrips: {} });
 */
export async function productionCases(runner: Runner, bench: ProductionBench): Promise<void> {
  for (const topology of TOPOLOGIES) {
    const metas = cases(topology.id);
    if (!Object.values(metas).some((m) => runner.wants(m.id))) continue;
    let srv: TopologyServer;
    try {
      srv = await topology.start(bench);
    } catch (err) {
      for (const meta of Object.values(metas)) runner.unavailable(meta, topology.id, err);
      continue;
    }
    bench.readyMs[srv.name] = srv.readyMs;
    runner.settings.log(`  started ${srv.name} in ${Math.round(srv.readyMs)} ms`);
    try {
      await topologyCases(runner, bench, srv, metas);
    } finally {
      await srv.stop();
    }
  }
}

async function topologyCases(
  runner: Runner,
  bench: ProductionBench,
  srv: TopologyServer,
  metas: ReturnType<typeof cases>,
): Promise<void> {
  const creds = credentials(srv, bench.users);
  /** Counts what one measured run sent the stores, then samples Redis round trips with `sample`. */
  const counted =
    (id: string, sample: Sample): Measured =>
    async (server, run) => {
      const before = await bench.services.counters();
      const helperBefore = srv.helperCpuMs();
      const backendsBefore = bench.services.cpuMs();
      const outcome = await runner.withCpu(server, run);
      const backends = bench.services.cpuMs();
      const requests = outcome.load.requests;
      if (!requests) return outcome;
      const stores = perRequest(before, await bench.services.counters(), requests);
      const prepared = await sample.prepare();
      const sent = await bench.services.redisSent(() => sample.send(prepared));
      stores.sampled = SAMPLE;
      stores.redisSent = [...sent]
        .map(([command, calls]) => ({ command, perRequest: calls / SAMPLE }))
        .sort((x, y) => y.perRequest - x.perRequest);
      stores.redisRoundTrips = stores.redisSent.reduce((t, c) => t + c.perRequest, 0);
      bench.roundTrips[id] = stores;
      const extra: Record<string, number> = {
        'pg stmts/req': round(stores.postgresPerRequest),
        'redis cmds/req': round(stores.redisPerRequest),
        'redis round trips/req': round(stores.redisRoundTrips),
        'PostgreSQL CPU µs/req': round(((backends.postgres - backendsBefore.postgres) * 1000) / requests),
        'Redis CPU µs/req': round(((backends.redis - backendsBefore.redis) * 1000) / requests),
      };
      const helper = srv.helperCpuMs() - helperBefore;
      if (helper > 0) extra['HAProxy CPU µs/req'] = round((helper * 1000) / requests);
      return { ...outcome, extra: { ...outcome.extra, ...extra } };
    };
  const me = (meta: CaseMeta, scheme: string, headers: () => Promise<Record<string, string>[]>) =>
    runner.run(meta, srv, async () => {
      const list = await headers();
      await expectMe(srv.origin, list[0]!, scheme);
      const requests = meRequests(list);
      if (runner.settings.warmupS > 0)
        await runner.load(srv, { requests, durationS: runner.settings.warmupS });
      const sample: Sample<Record<string, string>[]> = {
        prepare: async () => list,
        send: async (all) => {
          for (let i = 0; i < SAMPLE; i++) await expectMe(srv.origin, all[i % all.length]!, scheme);
        },
      };
      return counted(meta.id, sample)(srv, () => runner.load(srv, { requests }));
    });
  await me(metas.jwt, 'jwt', creds.bearer);
  await me(metas.token, 'token', creds.token);
  await me(metas.session, 'session', creds.session);
  const refreshes: Sample<string[]> = {
    // Logged in before MONITOR starts: a login's own commands are not a refresh's.
    prepare: () => creds.refreshPool(SAMPLE),
    send: async (pool) => {
      for (const refresh of pool) {
        const res = await fetch(`${srv.origin}/api/token/refresh/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh }),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`POST /api/token/refresh/ answered ${res.status}`);
      }
    },
  };
  await runner.run(metas.refresh, srv, () =>
    refreshChain(runner, srv, creds, counted(metas.refresh.id, refreshes)),
  );
}

/** Requests sent one at a time, after the measured run, while MONITOR counts Redis round trips. */
const SAMPLE = 40;
interface Sample<T = unknown> {
  /** Credentials made outside the watched window. */
  prepare(): Promise<T>;
  /** Sends {@link SAMPLE} requests with them. */
  send(prepared: T): Promise<void>;
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** The statements and commands per request of each case, as text (what the bench prints). */
export function formatRoundTrips(roundTrips: Record<string, PerRequest>): string {
  const lines: string[] = [];
  for (const [id, r] of Object.entries(roundTrips)) {
    lines.push(
      `${id}: ${r.postgresPerRequest.toFixed(2)} PostgreSQL statements + ${(r.redisRoundTrips ?? 0).toFixed(2)} Redis round trips ` +
        `(${r.redisPerRequest.toFixed(2)} commands run, scripts' included) per request`,
    );
    if (r.redisSent?.length)
      lines.push(
        `  redis sent: ${r.redisSent.map((c) => `${c.command} ${c.perRequest.toFixed(2)}`).join(', ')}`,
      );
    for (const s of r.postgres)
      lines.push(
        `  pg    ${s.perRequest.toFixed(2)}/req  ${s.usPerRequest.toFixed(1).padStart(6)} µs/req exec, ` +
          `${s.plansPerRequest.toFixed(2)} plans ${s.planUsPerRequest.toFixed(1)} µs/req  ${s.statement.slice(0, 120)}`,
      );
    for (const c of r.redis)
      lines.push(
        `  redis ${c.perRequest.toFixed(2)}/req  ${c.usPerRequest.toFixed(1).padStart(6)} µs/req  ${c.command}`,
      );
  }
  return lines.join('\n');
}
