/**
 * The backends the store suite runs against. Adding one is one entry in `backends` below.
 *
 * A backend that cannot run here (no server URL in the environment) is reported as skipped, with
 * the reason, in every suite. When GATEHOUSE_REQUIRE_BACKENDS names it (comma-separated, e.g.
 * "sqlite,postgres"), the suite fails instead: CI that is meant to test PostgreSQL must not pass
 * green because PostgreSQL was missing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { openStores, type StoreName } from '../../src/stores/open.js';
import { connectRedis } from '../../src/stores/redis/client.js';
import type { Stores } from '../../src/stores/types.js';
import { describeUnavailable, requiredBackends } from '../helpers/required.js';

/** One opened, empty backend, closed after each test. */
export interface OpenedBackend {
  stores: Stores;
  /**
   * Another, independent instance over the same data: what a second server process would see.
   * Backends confined to one process (memory) hand back the same stores.
   */
  peer(): Promise<Stores>;
  /** The database URL, for SQL backends (migration tests). */
  url?: string;
  close(): Promise<void>;
}

export interface StoreBackend {
  name: string;
  /** null when it can run here; otherwise why not (printed when skipped). */
  unavailable: string | null;
  /** The stores this backend implements (the others come from memory in its opened instance). */
  holds: ReadonlySet<StoreName>;
  /** Opens a fresh, empty instance. */
  open(): Promise<OpenedBackend>;
}

const ALL: ReadonlySet<StoreName> = new Set([
  'users',
  'sessions',
  'apiTokens',
  'jwtState',
  'rateLimits',
  'audit',
  'mfa',
]);

const memory: StoreBackend = {
  name: 'memory',
  unavailable: null,
  holds: ALL,
  async open() {
    const stores = createMemoryStores();
    return { stores, peer: async () => stores, close: () => stores.close() };
  },
};

/**
 * Any backend reached by a URL; `prepare` makes a fresh empty database (or key space) and returns
 * its URL. A backend holding only some stores (Redis) is opened as `redis:` beside `memory:`.
 */
function urlBackend(
  name: string,
  unavailable: string | null,
  prepare: () => Promise<{ url: string; drop(): Promise<void> }>,
  holds: ReadonlySet<StoreName> = ALL,
): StoreBackend {
  return {
    name,
    unavailable,
    holds,
    async open() {
      const { url, drop } = await prepare();
      const opened: Stores[] = [];
      const peer = async (): Promise<Stores> => {
        const s = await openStores(holds === ALL ? { database: url } : { database: 'memory:', redis: url });
        opened.push(s);
        return s;
      };
      let stores: Stores;
      try {
        stores = await peer();
      } catch (err) {
        // Nothing will close what failed to open: drop the fresh database here.
        await drop();
        throw err;
      }
      return {
        stores,
        peer,
        url,
        async close() {
          await Promise.all(opened.map((s) => s.close()));
          await drop();
        },
      };
    },
  };
}

const sqlite = urlBackend('sqlite', null, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-stores-'));
  return {
    url: `sqlite:${join(dir, 'test.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

export const POSTGRES_URL = process.env['GATEHOUSE_TEST_POSTGRES_URL'];

/**
 * A fresh, empty PostgreSQL schema selected through the connection's search_path, and how to
 * drop it (also for suites that open their own server over it, such as the contract suite).
 */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const schema = `gh_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(POSTGRES_URL as string);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

/** Each test gets its own schema. */
const postgres = urlBackend(
  'postgres',
  POSTGRES_URL ? null : 'GATEHOUSE_TEST_POSTGRES_URL is not set',
  freshPostgres,
);

const REDIS_STORES: ReadonlySet<StoreName> = new Set(['sessions', 'jwtState', 'rateLimits']);

/**
 * A Redis backend over the URL in environment variable `env` (scripts/services.sh prints them):
 * each test gets its own key prefix, deleted afterwards. `params` are added to the URL's query.
 */
function redisBackend(name: string, env: string, params: Record<string, string> = {}): StoreBackend {
  const base = process.env[env];
  return urlBackend(
    name,
    base ? null : `${env} is not set (scripts/services.sh prints it)`,
    async () => {
      const prefix = `gatehouse-test:${randomBytes(6).toString('hex')}:`;
      const query = new URLSearchParams({ ...params, prefix }).toString();
      const url = `${base as string}${(base as string).includes('?') ? '&' : '?'}${query}`;
      return { url, drop: () => deleteRedisKeys(base as string, prefix) };
    },
    REDIS_STORES,
  );
}

const redis = redisBackend('redis', 'GATEHOUSE_TEST_REDIS_URL');
/** 3 masters, each with a replica: every spend and revocation waits for its replica (wait=1). */
const redisCluster = redisBackend('redis-cluster', 'GATEHOUSE_TEST_REDIS_CLUSTER_URL', { wait: '1' });
/** The master the sentinels name; wait=1 is the sentinel URL's default. */
const redisSentinel = redisBackend('redis-sentinel', 'GATEHOUSE_TEST_REDIS_SENTINEL_URL');

/** Deletes every key under `prefix` (on every master of a cluster), so test runs leave nothing behind. */
async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const client = await connectRedis(url);
  try {
    const servers = 'nodes' in client && client.isCluster ? client.nodes('master') : [client as Redis];
    for (const server of servers) {
      let cursor = '0';
      do {
        const [next, keys] = await server.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        // One key per DEL: in a cluster the keys of one node still span several slots.
        for (const key of keys) await server.del(key);
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

/** Every backend, in the order the suites report them. */
export const backends: readonly StoreBackend[] = [
  memory,
  sqlite,
  postgres,
  redis,
  redisCluster,
  redisSentinel,
];

/** Names GATEHOUSE_REQUIRE_BACKENDS may carry for suites other than the store suite. */
const OTHER_REQUIREMENTS: ReadonlySet<string> = new Set(['haproxy']);

/**
 * `describe.each` over the backends that can run here; each one that cannot is reported as a
 * skipped suite whose title says why, or as a failing test when it is required.
 * `filter` narrows the list (e.g. SQL backends only for migrations).
 */
export function describeBackends(
  title: string,
  body: (backend: StoreBackend) => void,
  filter: (backend: StoreBackend) => boolean = () => true,
): void {
  const chosen = backends.filter(filter);
  for (const name of requiredBackends) {
    if (!backends.some((b) => b.name === name) && !OTHER_REQUIREMENTS.has(name)) {
      describe(`${title} [${name}]`, () => {
        it('is a known backend (GATEHOUSE_REQUIRE_BACKENDS)', () => {
          throw new Error(`GATEHOUSE_REQUIRE_BACKENDS names ${name}, which the store suite does not know`);
        });
      });
    }
  }
  for (const b of chosen) {
    if (b.unavailable !== null) describeUnavailable(`${title} [${b.name}]`, b.unavailable, [b.name]);
  }
  describe.each(chosen.filter((b) => b.unavailable === null))(`${title} [$name]`, body);
}

/** A filter for {@link describeBackends}: the backends that implement store `name`. */
export const holding =
  (name: StoreName) =>
  (backend: StoreBackend): boolean =>
    backend.holds.has(name);

/** Opens a fresh instance of `backend` before each test and closes it after. */
export function perTest(backend: StoreBackend): { readonly current: OpenedBackend; readonly stores: Stores } {
  let opened: OpenedBackend | undefined;
  beforeEach(async () => {
    opened = await backend.open();
  });
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  return {
    get current() {
      if (!opened) throw new Error('no backend open outside a test');
      return opened;
    },
    get stores() {
      return this.current.stores;
    },
  };
}
