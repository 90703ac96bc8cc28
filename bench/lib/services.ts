/**
 * The bench's own PostgreSQL and Redis, started with `scripts/services.sh` in a private state
 * directory on free ports (never the test suite's servers), with `pg_stat_statements` loaded so
 * that each case can count the statements and Redis commands its requests cost.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cpuMsOf, freePort, processTree } from './process.js';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/services.sh');

/** Statements and commands the stores sent, by text or name: calls and server time. */
export interface StoreCounters {
  /** PostgreSQL statements by normalised text (pg_stat_statements). */
  postgres: Map<string, { calls: number; ms: number; plans: number; planMs: number }>;
  /** Redis commands by name (INFO commandstats). */
  redis: Map<string, { calls: number; ms: number }>;
}

export interface BenchServices {
  postgresUrl: string;
  redisUrl: string;
  /** What the stores have sent so far; two snapshots subtract to one run's share. */
  counters(): Promise<StoreCounters>;
  /**
   * The Redis commands clients sent while `fn` ran (each a round trip, unless pipelined), as
   * MONITOR sees them: INFO commandstats also counts the commands a Lua script runs inside the
   * server, which cost no round trip.
   */
  redisSent(fn: () => Promise<void>): Promise<Map<string, number>>;
  /** CPU the PostgreSQL server (postmaster and backends) and Redis have used so far, ms. */
  cpuMs(): { postgres: number; redis: number };
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL and Redis for one bench run, restarts PostgreSQL once with
 * `pg_stat_statements` preloaded, and resolves when both answer.
 *
 * @example
 * const services = await startServices();
 * try { … services.postgresUrl … } finally { await services.stop(); }
 */
export async function startServices(): Promise<BenchServices> {
  const state = mkdtempSync(join(tmpdir(), 'gatehouse-bench-services-'));
  // The postgres user owns the data directory below it and must be able to reach it.
  chmodSync(state, 0o755);
  const env = {
    ...process.env,
    GATEHOUSE_SERVICES_DIR: state,
    GATEHOUSE_PG_PORT: String(await freePort()),
    GATEHOUSE_REDIS_PORT: String(await freePort()),
  };
  const script = (command: string) =>
    execFileSync('bash', [SCRIPT, command], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let stats: pg.Client | undefined;
  let redis: Redis | undefined;
  const stop = async () => {
    await stats?.end().catch(() => {});
    redis?.disconnect();
    try {
      script('stop');
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  };
  try {
    const exported = parseExports(script('start'));
    const postgresUrl = exported.GATEHOUSE_TEST_POSTGRES_URL;
    const redisUrl = exported.GATEHOUSE_TEST_REDIS_URL;
    if (!postgresUrl || !redisUrl) throw new Error('scripts/services.sh start printed no URLs');
    await withClient(postgresUrl, (c) =>
      c.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`),
    );
    script('stop-postgres');
    script('start-postgres');
    stats = new pg.Client({ connectionString: postgresUrl });
    await stats.connect();
    await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // Planning time too: what a named prepared statement would save on each execution. Known
    // only once the library is loaded, hence after the restart.
    await stats.query('ALTER SYSTEM SET pg_stat_statements.track_planning = on');
    await stats.query('SELECT pg_reload_conf()');
    redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const pgClient = stats;
    const redisClient = redis;
    return {
      postgresUrl,
      redisUrl,
      counters: async () => ({
        postgres: await postgresCounters(pgClient),
        redis: redisCounters(await redisClient.info('commandstats')),
      }),
      redisSent: (fn) => watchSent(redisClient, fn),
      cpuMs: () => ({
        postgres: treeCpuMs(join(state, 'pg/data/postmaster.pid')),
        redis: treeCpuMs(join(state, 'redis.pid')),
      }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function watchSent(redis: Redis, fn: () => Promise<void>): Promise<Map<string, number>> {
  const monitor = await redis.monitor();
  const sent = new Map<string, number>();
  const marker = `gatehouse-bench-${process.hrtime.bigint()}`;
  let seen: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    seen = resolve;
  });
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) return seen();
    // `lua`: a command a script ran inside the server; INFO: the bench reading its counters.
    const command = args[0]?.toLowerCase();
    if (!command || source === 'lua' || command === 'info') return;
    sent.set(command, (sent.get(command) ?? 0) + 1);
  });
  try {
    await fn();
    // MONITOR lines arrive after the replies: the marker says every earlier command was seen.
    await redis.echo(marker);
    await done;
  } finally {
    monitor.disconnect();
  }
  return sent;
}

/** CPU of the process named by the first line of `pidFile` and its children, ms; 0 when gone. */
function treeCpuMs(pidFile: string): number {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n', 1)[0]);
    return processTree(pid).reduce((total, p) => total + cpuMsOf(p), 0);
  } catch {
    return 0;
  }
}

function parseExports(out: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of out.matchAll(/(\w+)=('[^']*'|\S+)/g)) vars[m[1]!] = m[2]!.replace(/^'|'$/g, '');
  return vars;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function postgresCounters(c: pg.Client): Promise<StoreCounters['postgres']> {
  const { rows } = await c.query<{
    query: string;
    calls: string;
    ms: number;
    plans: string;
    plan_ms: number;
  }>(
    `SELECT query, calls, total_exec_time AS ms, plans, total_plan_time AS plan_ms FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND userid = (SELECT oid FROM pg_roles WHERE rolname = current_user)`,
  );
  const out: StoreCounters['postgres'] = new Map();
  for (const r of rows) {
    // The bench's own reads of these counters are not the server's.
    if (/pg_stat_statements|pg_extension/.test(r.query)) continue;
    const key = r.query.replace(/\s+/g, ' ').trim();
    const prev = out.get(key) ?? { calls: 0, ms: 0, plans: 0, planMs: 0 };
    out.set(key, {
      calls: prev.calls + Number(r.calls),
      ms: prev.ms + r.ms,
      plans: prev.plans + Number(r.plans),
      planMs: prev.planMs + r.plan_ms,
    });
  }
  return out;
}

function redisCounters(info: string): StoreCounters['redis'] {
  const out: StoreCounters['redis'] = new Map();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    // INFO itself is the bench reading these counters.
    if (m[1] === 'info') continue;
    out.set(m[1]!, { calls: Number(m[2]), ms: Number(m[3]) / 1000 });
  }
  return out;
}

/** One run's share per request: `after` minus `before`, divided by `requests`. */
export interface PerRequest {
  /** Statements, their execution time and their planning (each one planned anew, or not). */
  postgres: {
    statement: string;
    perRequest: number;
    usPerRequest: number;
    plansPerRequest: number;
    planUsPerRequest: number;
  }[];
  /**
   * Every command Redis ran (INFO commandstats), those inside Lua scripts included, and the
   * server time they took.
   */
  redis: { command: string; perRequest: number; usPerRequest: number }[];
  postgresPerRequest: number;
  redisPerRequest: number;
  /**
   * Redis round trips: the commands the server sent (MONITOR), in a separate sequential pass of
   * `sampled` requests after the measured run.
   */
  redisSent?: { command: string; perRequest: number }[];
  redisRoundTrips?: number;
  sampled?: number;
}

/**
 * What one run cost the stores per request; anything under 0.005 per request (a background
 * sweep, the bench's own reads) is left out.
 */
export function perRequest(before: StoreCounters, after: StoreCounters, requests: number): PerRequest {
  const diff = (a: StoreCounters['redis'], b: StoreCounters['redis']) =>
    [...b]
      .map(([key, v]) => {
        const was = a.get(key) ?? { calls: 0, ms: 0 };
        return {
          key,
          perRequest: (v.calls - was.calls) / requests,
          usPerRequest: ((v.ms - was.ms) * 1000) / requests,
        };
      })
      .filter((d) => d.perRequest >= 0.005)
      .sort((x, y) => y.perRequest - x.perRequest);
  const postgres = diff(before.postgres, after.postgres).map(({ key, ...d }) => {
    const a = after.postgres.get(key)!;
    const b = before.postgres.get(key) ?? { plans: 0, planMs: 0 };
    return {
      statement: key,
      ...d,
      plansPerRequest: (a.plans - b.plans) / requests,
      planUsPerRequest: ((a.planMs - b.planMs) * 1000) / requests,
    };
  });
  const redis = diff(before.redis, after.redis).map(({ key, ...d }) => ({ command: key, ...d }));
  const total = (xs: { perRequest: number }[]) => xs.reduce((s, x) => s + x.perRequest, 0);
  return { postgres, redis, postgresPerRequest: total(postgres), redisPerRequest: total(redis) };
}
