import { join } from 'node:path';
import { apiToken, type BenchUser, expectMe, jwtPair, sessionCookie, Unavailable } from './credentials.js';
import { type GatehouseServer, type GatehouseVariant, startGatehouse, variants } from './gatehouse.js';
import type { LoadResult, RequestSpec } from './load/index.js';
import type { ServerProcess } from './process.js';
import { type CaseMeta, type CaseOutcome, lazy, meRequests, type Runner } from './runner.js';

export interface GatehouseBench {
  dir: string;
  databaseUrl: string;
  secretKey: string;
  users: BenchUser[];
  /** Start-up time of each server variant, ms. */
  readyMs: Record<string, number>;
  notes: string[];
  /** When set, each gatehouse server writes a V8 CPU profile under <profileDir>/<variant>/. */
  profileDir?: string | undefined;
}

/** The order DRF users list them in; each case's credential is tried after the ones before it. */
const AUTHENTICATION = ['session', 'token', 'jwt'];
/** Connections that keep the hashing pool (4 at once by default) full during the storm case. */
const STORM_CONNECTIONS = 16;
/** The RSS check needs at least this many requests, and at least 3 rounds, on one server. */
const MEMORY_REQUESTS = 1_000_000;
const MAX_MEMORY_ROUNDS = 8;

const CASES = {
  anonymous: { id: 'anonymous', label: 'anonymous route GET /healthz', group: 'gatehouse' },
  anonymousMe: {
    id: 'anonymous-me',
    label: 'GET /api/me/ without credentials (refused)',
    group: 'gatehouse',
    expectsNon2xx: true,
  },
  hs256: { id: 'jwt-hs256', label: 'GET /api/me/ JWT HS256 (user checked)', group: 'gatehouse' },
  token: { id: 'token', label: 'GET /api/me/ API token (SQLite)', group: 'gatehouse' },
  session: { id: 'session', label: 'GET /api/me/ session cookie (SQLite)', group: 'gatehouse' },
  refresh: { id: 'refresh', label: 'POST /api/token/refresh/ chain (rotation)', group: 'gatehouse' },
  logins: { id: 'logins', label: 'POST /api/token/ logins/s (argon2id)', group: 'gatehouse' },
  storm: {
    id: 'me-under-logins',
    label: 'GET /api/me/ JWT HS256 while logins saturate hashing',
    group: 'gatehouse',
  },
} as const satisfies Record<string, CaseMeta>;

async function start(runner: Runner, bench: GatehouseBench, variant: GatehouseVariant) {
  const nodeArgs = bench.profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${join(bench.profileDir, variant.name)}`]
    : [];
  const srv = await startGatehouse({ ...bench, variant, authentication: AUTHENTICATION, nodeArgs });
  bench.readyMs[variant.name] = srv.readyMs;
  if (srv.missing) {
    bench.notes.push(
      `gatehouse (${variant.name}): ${srv.missing}; it ran with ${srv.authentication.join(',')}`,
    );
  }
  runner.settings.log(
    `  started ${srv.name} in ${Math.round(srv.readyMs)} ms (${srv.authentication.join(',')})`,
  );
  return srv;
}

const loginRequests = (users: readonly BenchUser[]): RequestSpec[] =>
  users.map((u) => ({
    method: 'POST',
    path: '/api/token/',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(u),
  }));

/** Credentials of every kind for one running server, fetched on first use. */
export function credentials(
  srv: Pick<GatehouseServer, 'origin' | 'authentication' | 'missing'>,
  users: readonly BenchUser[],
) {
  const { origin } = srv;
  const jwt = lazy(() => Promise.all(users.map((u) => jwtPair(origin, u))));
  return {
    bearer: lazy(async () => (await jwt()).map((p) => ({ authorization: `Bearer ${p.access}` }))),
    token: lazy(async () =>
      (await Promise.all(users.map((u) => apiToken(origin, u)))).map((k) => ({
        authorization: `Token ${k}`,
      })),
    ),
    session: lazy(async () => {
      if (!srv.authentication.includes('session')) throw new Unavailable(srv.missing ?? 'session scheme off');
      return (await Promise.all(users.map((u) => sessionCookie(origin, u)))).map((c) => ({ cookie: c }));
    }),
    /** `n` fresh refresh tokens, one login each. */
    refreshPool: async (n: number) =>
      (await Promise.all(Array.from({ length: n }, (_, i) => jwtPair(origin, users[i % users.length]!)))).map(
        (p) => p.refresh,
      ),
  };
}

/**
 * Every case on the default server (HS256, sessions, tokens), then repeated mixed rounds that
 * sample its RSS until it has answered a million requests.
 */
export async function gatehouseCases(runner: Runner, bench: GatehouseBench): Promise<void> {
  let srv: GatehouseServer;
  try {
    srv = await start(runner, bench, variants().main);
  } catch (err) {
    for (const meta of Object.values(CASES)) runner.unavailable(meta, 'gatehouse (main)', err);
    return;
  }
  try {
    const creds = credentials(srv, bench.users);
    const me = async (scheme: string, headers: Record<string, string>[]) => {
      await expectMe(srv.origin, headers[0]!, scheme);
      return runner.measure(srv, { requests: meRequests(headers) });
    };
    const after = (meta: CaseMeta) => {
      if (runner.wants(meta.id)) runner.sampleMemory(srv, meta.id);
    };

    await runner.run(CASES.anonymous, srv, async () =>
      runner.measure(srv, { requests: [{ method: 'GET', path: '/healthz', headers: {} }] }),
    );
    after(CASES.anonymous);
    await runner.run(CASES.anonymousMe, srv, async () => runner.measure(srv, { requests: meRequests([{}]) }));
    after(CASES.anonymousMe);
    await runner.run(CASES.hs256, srv, async () => me('jwt', await creds.bearer()));
    after(CASES.hs256);
    await runner.run(CASES.token, srv, async () => me('token', await creds.token()));
    after(CASES.token);
    await runner.run(CASES.session, srv, async () => me('session', await creds.session()));
    after(CASES.session);
    await runner.run(CASES.refresh, srv, () => refreshChain(runner, srv, creds));
    after(CASES.refresh);
    await runner.run(CASES.logins, srv, async () =>
      runner.measure(srv, { requests: loginRequests(bench.users) }),
    );
    after(CASES.logins);
    await runner.run(CASES.storm, srv, async () => {
      const requests = meRequests(await creds.bearer());
      const [logins, load] = await Promise.all([
        runner.load(srv, { requests: loginRequests(bench.users), connections: STORM_CONNECTIONS }),
        runner.load(srv, { requests }),
      ]);
      return { load, extra: { 'logins/s': logins.rps } };
    });
    after(CASES.storm);
    if (runner.wants('memory')) await memoryRounds(runner, srv, creds);
  } finally {
    await srv.stop();
  }
}

/** Runs one measured load and returns it with its cost per request (CPU, store round trips…). */
export type Measured = (srv: ServerProcess, run: () => Promise<LoadResult>) => Promise<CaseOutcome>;

/**
 * The refresh chain: each connection presents its refresh token and goes on with the one the
 * answer rotated in. Two pools: a token spent in the warm-up cannot be presented again in the
 * measured run.
 */
export async function refreshChain(
  runner: Runner,
  srv: ServerProcess,
  creds: ReturnType<typeof credentials>,
  measured: Measured = (s, run) => runner.withCpu(s, run),
): Promise<CaseOutcome> {
  const size = runner.settings.connections + 16;
  const path = '/api/token/refresh/';
  const [warm, pool] = [await creds.refreshPool(size), await creds.refreshPool(size)];
  if (runner.settings.warmupS > 0) {
    await runner.load(srv, { requests: [], chain: { path, pool: warm }, durationS: runner.settings.warmupS });
  }
  return measured(srv, () => runner.load(srv, { requests: [], chain: { path, pool } }));
}

/** Mixed authenticated traffic in rounds, RSS sampled after each: does memory stay flat? */
async function memoryRounds(runner: Runner, srv: GatehouseServer, creds: ReturnType<typeof credentials>) {
  const mixed: Record<string, string>[] = [];
  for (const get of [creds.bearer, creds.token, creds.session]) {
    try {
      mixed.push(...(await get()));
    } catch {
      // A scheme this build lacks: the rounds run with the others.
    }
  }
  if (!mixed.length) return;
  runner.settings.log('  memory: mixed JWT/token/session rounds until 1M requests …');
  const mb = (kb: number) => (kb / 1024).toFixed(1);
  for (let round = 1; round <= MAX_MEMORY_ROUNDS; round++) {
    const range = { min: Number.POSITIVE_INFINITY, max: 0 };
    const sample = setInterval(() => {
      const kb = srv.rssKb();
      if (kb > 0) range.min = Math.min(range.min, kb);
      range.max = Math.max(range.max, kb);
    }, 250);
    try {
      await runner.load(srv, { requests: meRequests(mixed) });
    } finally {
      clearInterval(sample);
    }
    runner.sampleMemory(srv, `round ${round}`, range);
    const last = runner.memory[runner.memory.length - 1]!;
    runner.settings.log(
      `    round ${round}: ${last.requests.toLocaleString('en-US')} requests served, RSS ${mb(last.rssKb)} MB ` +
        `(${mb(range.min)}–${mb(range.max)} MB during the round)`,
    );
    if (round >= 3 && last.requests >= MEMORY_REQUESTS) break;
  }
}

const VARIANT_CASES = [
  {
    variant: 'es256',
    meta: { id: 'jwt-es256', label: 'GET /api/me/ JWT ES256 (user checked, cache)', group: 'gatehouse' },
  },
  {
    variant: 'eddsa',
    meta: { id: 'jwt-eddsa', label: 'GET /api/me/ JWT EdDSA (user checked, cache)', group: 'gatehouse' },
  },
  {
    variant: 'stateless',
    meta: { id: 'jwt-hs256-stateless', label: 'GET /api/me/ JWT HS256 stateless', group: 'gatehouse' },
  },
] as const satisfies readonly { variant: 'es256' | 'eddsa' | 'stateless'; meta: CaseMeta }[];

/** The JWT cases that need another server configuration: one server each, one at a time. */
export async function variantCases(runner: Runner, bench: GatehouseBench): Promise<void> {
  const all = variants();
  for (const { variant, meta } of VARIANT_CASES) {
    if (!runner.wants(meta.id)) continue;
    let srv: GatehouseServer;
    try {
      srv = await start(runner, bench, all[variant]);
    } catch (err) {
      runner.unavailable(meta, `gatehouse (${variant})`, err);
      continue;
    }
    try {
      const creds = credentials(srv, bench.users);
      await runner.run(meta, srv, async () => {
        const headers = await creds.bearer();
        await expectMe(srv.origin, headers[0]!, 'jwt');
        return runner.measure(srv, { requests: meRequests(headers) });
      });
    } finally {
      await srv.stop();
    }
  }
}
