/**
 * Several `gatehouse serve` processes over one PostgreSQL database and one Redis key space, as a
 * deployment behind a load balancer runs them; and the HTTP calls the tests make against them.
 *
 * The servers are the real ones (PostgreSQL, redis-server): `.ci/run` and
 * `scripts/services.sh start` provide them. Without them the suites say so and skip, unless
 * GATEHOUSE_REQUIRE_BACKENDS names postgres or redis: then they fail, so CI cannot pass green
 * without having run them.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import { type RunningServer, runCli, startServe, tempProject } from '../helpers/cli.js';
import { describeUnavailable } from '../helpers/required.js';

export const SECRET_KEY = 'multi-instance-test-secret-key-0123456789abcdef';
export const ADMIN_PASSWORD = 'admin-password-for-multi-tests';
/** The password of every user a multi-instance test registers. */
export const PASSWORD = 'correct-horse-battery-staple-9';

/** The test PostgreSQL and Redis servers (`scripts/services.sh start`), when they are set. */
export const TEST_POSTGRES_URL = process.env['GATEHOUSE_TEST_POSTGRES_URL'];
export const TEST_REDIS_URL = process.env['GATEHOUSE_TEST_REDIS_URL'];
/** Why a suite over both test servers cannot run here, or null when it can: for describeIf. */
export const MISSING_POSTGRES_REDIS: string | null = !TEST_POSTGRES_URL
  ? 'GATEHOUSE_TEST_POSTGRES_URL is not set (scripts/services.sh start)'
  : !TEST_REDIS_URL
    ? 'GATEHOUSE_TEST_REDIS_URL is not set (scripts/services.sh start)'
    : null;

/**
 * `describe` when `reason` is null; otherwise a skipped suite whose title says why (and a warning
 * on stderr), or a failing one when GATEHOUSE_REQUIRE_BACKENDS names one of `backends`.
 */
export function describeIf(
  reason: string | null,
  backends: readonly string[],
  title: string,
  body: () => void,
): void {
  if (reason === null) describe(title, body);
  else describeUnavailable(title, reason, backends);
}

/** A fresh PostgreSQL database on the server of `adminUrl`, dropped by `drop()`. */
export async function freshDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `gh_multi_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A Redis URL whose keys all start with a fresh prefix; `drop()` deletes them. */
export function freshRedisPrefix(redisUrl: string): { url: string; drop(): Promise<void> } {
  const prefix = `gatehouse-multi:${randomBytes(5).toString('hex')}:`;
  const url = new URL(redisUrl);
  url.searchParams.set('prefix', prefix);
  return {
    url: url.toString(),
    async drop() {
      const { Redis } = await import('ioredis');
      const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length) await client.del(...keys);
        } while (cursor !== '0');
      } finally {
        client.disconnect();
      }
    },
  };
}

/** The environment of every instance and CLI call: the shared stores, secret and admin. */
export function sharedEnv(databaseUrl: string, redisUrl: string): Record<string, string> {
  return {
    GATEHOUSE_DATABASE_URL: databaseUrl,
    GATEHOUSE_REDIS_URL: redisUrl,
    GATEHOUSE_SECRET_KEY: SECRET_KEY,
    GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    GATEHOUSE_SIGNUP: 'true',
    // Token first, so a refusal is 401 with a challenge whichever scheme was tried.
    GATEHOUSE_AUTHENTICATION: 'token,jwt,session,basic',
    GATEHOUSE_LOG_LEVEL: 'fatal',
  };
}

/**
 * Throttle rates high enough for a test that signs in many times a minute from one address;
 * a test of the throttle itself lowers the one it checks.
 */
export const RELAXED_THROTTLE = {
  login: '1000/min',
  loginUsername: '1000/min',
  refresh: '1000/min',
  register: '1000/hour',
} as const;

/**
 * Starts `count` instances over the same stores, at the same moment (migrations and the first
 * admin race), each in a directory of its own holding `config` as gatehouse.config.json.
 */
export async function startInstances(
  env: Record<string, string>,
  opts: { count?: number; config?: Record<string, unknown> } = {},
): Promise<RunningServer[]> {
  const config = opts.config ?? { throttle: RELAXED_THROTTLE };
  const cwd = (): string => {
    const dir = tempProject();
    writeFileSync(join(dir, 'gatehouse.config.json'), JSON.stringify(config));
    return dir;
  };
  const started = await Promise.allSettled(
    Array.from({ length: opts.count ?? 2 }, () => startServe({ cwd: cwd(), env })),
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return servers;
}

/** Two instances over stores of their own, as {@link startPairOnTestServers} leaves them. */
export interface InstancePair {
  a: RunningServer;
  b: RunningServer;
  /** The instances' environment, for {@link operator} calls against the same stores. */
  env: Record<string, string>;
  databaseUrl: string;
  redisUrl: string;
}

/**
 * What the suites over the test PostgreSQL and Redis start with: a fresh database and Redis key
 * prefix, and two instances over them (`editEnv` may change their environment first; `config` is
 * their config file, see {@link startInstances}). Each undo step goes on `cleanup`, so that the
 * suite's afterAll, running its steps in order, stops the instances before it drops the stores,
 * and drops what was made even when a later step failed.
 */
export async function startPairOnTestServers(
  cleanup: (() => Promise<void>)[],
  opts: { config?: Record<string, unknown>; editEnv?: (env: Record<string, string>) => void } = {},
): Promise<InstancePair> {
  const db = await freshDatabase(TEST_POSTGRES_URL as string);
  cleanup.push(db.drop);
  const redis = freshRedisPrefix(TEST_REDIS_URL as string);
  cleanup.push(redis.drop);
  const env = sharedEnv(db.url, redis.url);
  opts.editEnv?.(env);
  const [a, b] = (await startInstances(env, opts.config ? { config: opts.config } : {})) as [
    RunningServer,
    RunningServer,
  ];
  cleanup.unshift(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });
  return { a, b, env, databaseUrl: db.url, redisUrl: redis.url };
}

/** Runs a CLI command against the shared stores (what an operator does on any machine). */
export async function operator(env: Record<string, string>, args: string[], input?: string): Promise<string> {
  const r = await runCli(args, { cwd: tempProject(), env, input });
  if (r.code !== 0) throw new Error(`gatehouse ${args.join(' ')} exited ${r.code}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** One HTTP call to an instance; a JSON body when given. */
export async function call(
  server: RunningServer | string,
  method: string,
  path: string,
  opts: { auth?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const base = typeof server === 'string' ? server : server.url;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth) headers.authorization = opts.auth;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, body, headers: res.headers };
}

export const basic = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/**
 * A browser's side of a session: its cookies, and the CSRF header and Origin it sends on unsafe
 * requests. Behind a load balancer every instance answers for the same host; here each has its
 * own port, so the Origin sent is that of the instance addressed (the same site, as the browser
 * would see it).
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  /** Calls `server` (an instance, or a proxy in front of them) with the cookies, and the CSRF token and Origin on unsafe methods. */
  async call(
    server: Pick<RunningServer, 'url'>,
    method: string,
    path: string,
    json?: unknown,
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) {
      headers.origin = server.url;
      const csrf = this.cookies.get('csrftoken');
      if (csrf) headers['x-csrftoken'] = csrf;
    }
    const reply = await call(server.url, method, path, { json, headers });
    for (const line of reply.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return reply;
  }

  /** Fetches a CSRF cookie, then signs in on `server`. */
  async login(server: Pick<RunningServer, 'url'>, username: string, password: string): Promise<Reply> {
    await this.call(server, 'GET', '/api/auth/csrf/');
    return this.call(server, 'POST', '/api/auth/login/', { username, password });
  }

  /** A copy of this browser's cookies: what a thief who stole them would send. */
  clone(): Browser {
    const copy = new Browser();
    for (const [k, v] of this.cookies) copy.cookies.set(k, v);
    return copy;
  }
}
