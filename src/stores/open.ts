import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { StoreUnavailable } from './errors.js';
import { createMemoryStores } from './memory/index.js';
import { importOptional } from './optional-package.js';
import { openRedisStores } from './redis/index.js';
import type { SqlDialect } from './sql/dialect.js';
import { createSqlStores } from './sql/index.js';
import { migrateToLatest } from './sql/migrations.js';
import { allowNamedStatements } from './sql/postgres-pool.js';
import type { Database } from './sql/schema.js';
import { allowDirectReads, cachingSqliteDatabase } from './sql/sqlite-database.js';
import type { Stores } from './types.js';
import { parseStoreUrl, type StoreUrl } from './url.js';

/** The config's `database` default: openStores takes the config as `defineConfig` returns it. */
const DEFAULT_DATABASE = 'sqlite:./gatehouse.db';

/** The names of the individual stores, as in {@link Stores}. */
export type StoreName = 'users' | 'sessions' | 'apiTokens' | 'jwtState' | 'rateLimits' | 'audit' | 'mfa';
const STORE_NAMES: readonly StoreName[] = [
  'users',
  'sessions',
  'apiTokens',
  'jwtState',
  'rateLimits',
  'audit',
  'mfa',
];
/** What `redis:` moves off the database when set (docs/deployment.md: sessions, refresh state, rate limits). */
const REDIS_STORES: ReadonlySet<StoreName> = new Set(['sessions', 'jwtState', 'rateLimits']);

/** Where the stores live: the part of GatehouseConfig that {@link openStores} reads. */
export interface StoreOptions {
  /** `sqlite:./gatehouse.db` (the default, as in the config), `sqlite::memory:`, `postgres://…` or `memory:`. */
  database?: string | undefined;
  /** When set (`redis://…`, `redis+cluster://…`, `redis+sentinel://…`), sessions, refresh state and rate limits live here. */
  redis?: string | undefined;
  /** Per-store override of the URL (`sessions: 'redis://…'`; Redis holds only those three). */
  stores?: Partial<Record<StoreName, string | undefined>> | undefined;
}

/** A SQL database opened by {@link openDatabase}. */
export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: SqlDialect;
}

/**
 * Opens a SQL database from its URL, without migrating it. SQLite files are created (with their
 * directory) and run in WAL mode with a 5 s busy timeout; PostgreSQL gets a small pool.
 *
 * @example
 * const { db, dialect } = await openDatabase('sqlite:./gatehouse.db');
 */
export async function openDatabase(url: string, cwd: string = process.cwd()): Promise<OpenedDatabase> {
  const parsed = parseStoreUrl(url, cwd);
  if (parsed.kind === 'sqlite') return { db: await openSqlite(parsed.filename), dialect: 'sqlite' };
  if (parsed.kind === 'postgres') return { db: await openPostgres(parsed.url), dialect: 'postgres' };
  throw new Error(`${parsed.kind}: is not a SQL database URL; expected sqlite: or postgres://`);
}

async function openSqlite(filename: string): Promise<Kysely<Database>> {
  // Loaded on demand: a memory-only or PostgreSQL deployment never loads the native module.
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  let raw: InstanceType<typeof BetterSqlite3>;
  try {
    raw = new BetterSqlite3(filename, { timeout: 5_000 });
  } catch (err) {
    throw new StoreUnavailable('database', err);
  }
  // WAL lets readers (every request) proceed while one writer commits; NORMAL sync is durable
  // across application crashes, and only loses the last commits on power loss, not integrity.
  raw.pragma('journal_mode = WAL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  raw.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingSqliteDatabase(raw) }) });
  allowDirectReads(db as Kysely<unknown>, raw);
  return db;
}

/**
 * Pool limits, chosen so a request never hangs on a database that is down: a refused or
 * unanswered connection fails within CONNECT_TIMEOUT_MS, and a query on a connection that stops
 * answering (a frozen server, a silent network partition) within QUERY_TIMEOUT_MS; either way the
 * request gets 503. The query timeout is generous because migrations run through the same pool.
 */
const PG_POOL_SIZE = 10;
const PG_CONNECT_TIMEOUT_MS = 3_000;
const PG_QUERY_TIMEOUT_MS = 10_000;

async function openPostgres(url: string): Promise<Kysely<Database>> {
  const { default: pg } = await importOptional(['pg'], 'postgres:// URLs need', () => import('pg'));
  const pool = new pg.Pool({
    connectionString: url,
    max: PG_POOL_SIZE,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    query_timeout: PG_QUERY_TIMEOUT_MS,
    // Detects a peer that vanished without closing the connection (a host that went away).
    keepAlive: true,
  });
  // A client losing its connection (the server restarting) emits 'error'; with no listener that
  // crashes the process. Idle clients report it on the pool, which drops them; a client checked
  // out for a query has no pool listener, so each gets its own. The query itself fails either way
  // (StoreUnavailable, 503), and the next one opens a fresh connection: service resumes by itself.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  allowNamedStatements(db as Kysely<unknown>, pool);
  return db;
}

/**
 * Applies pending migrations to the database at `databaseUrl`; returns the names applied.
 * `memory:` has no schema and applies nothing.
 *
 * @example
 * const { applied } = await migrate('sqlite:./gatehouse.db'); // { applied: ['0001_initial', '0002_refresh_successor', '0003_email_verified', '0004_mfa', '0005_passkeys'] }
 */
export async function migrate(databaseUrl: string): Promise<{ applied: string[] }> {
  const parsed = parseStoreUrl(databaseUrl);
  if (parsed.kind === 'memory') return { applied: [] };
  if (parsed.kind === 'redis') {
    throw new Error('redis: has no schema to migrate; the database URL is "sqlite:…" or "postgres://…"');
  }
  const { db, dialect } = await openDatabase(databaseUrl);
  try {
    return { applied: await migrateToLatest(db, dialect) };
  } finally {
    await db.destroy();
  }
}

/** What one URL opens: every store (SQL, memory) or only some of them (Redis). */
type Backend = Pick<Stores, 'health' | 'close'> & Partial<Omit<Stores, 'health' | 'close'>>;

/**
 * Opens every store from URLs: `database` for all of them, `redis` for sessions, refresh state
 * and rate limits when set, and `stores.<name>` to place one store elsewhere (users in
 * PostgreSQL, sessions in Redis). Each distinct URL is opened once; SQL databases are migrated
 * first, so a server works on its first start.
 *
 * @example
 * const stores = await openStores({ database: 'postgres://gatehouse@db/gatehouse', redis: 'redis://cache:6379' });
 */
export async function openStores(options: StoreOptions): Promise<Stores> {
  const urls = new Map<StoreName, string>(STORE_NAMES.map((name) => [name, storeUrlOf(options, name)]));
  // Check every URL before opening anything, so a bad one leaves nothing half-open.
  const parsed = new Map<string, StoreUrl>();
  for (const [name, url] of urls) {
    const p = parseStoreUrl(url);
    if (p.kind === 'redis' && !REDIS_STORES.has(name)) {
      throw new Error(
        `${name}: Redis holds sessions, refresh state (jwtState) and rate limits only; ` +
          `place ${name} in "sqlite:…", "postgres://…" or "memory:"`,
      );
    }
    parsed.set(url, p);
  }

  const opened = new Map<string, Backend>();
  try {
    for (const [url, p] of parsed) opened.set(url, await openBackend(url, p));
  } catch (err) {
    await Promise.allSettled([...opened.values()].map((s) => s.close()));
    throw err;
  }
  const pick = <K extends StoreName>(name: K): Stores[K] =>
    (opened.get(urls.get(name) as string) as Backend)[name] as Stores[K];
  const backends = [...opened.values()];
  return {
    users: pick('users'),
    sessions: pick('sessions'),
    apiTokens: pick('apiTokens'),
    jwtState: pick('jwtState'),
    rateLimits: pick('rateLimits'),
    audit: pick('audit'),
    mfa: pick('mfa'),
    async health() {
      const out: Record<string, 'ok' | 'down'> = {};
      for (const status of await Promise.all(backends.map((b) => b.health()))) {
        for (const [name, state] of Object.entries(status)) {
          let key = name;
          for (let i = 2; key in out; i++) key = `${name}#${i}`;
          out[key] = state;
        }
      }
      return out;
    },
    async close() {
      await Promise.all(backends.map((b) => b.close()));
    },
  };
}

/** The URL a store opens from: its own override, else Redis for the three it holds, else the database. */
function storeUrlOf(options: StoreOptions, name: StoreName): string {
  return (
    options.stores?.[name] ??
    (options.redis !== undefined && REDIS_STORES.has(name) ? options.redis : options.database) ??
    DEFAULT_DATABASE
  );
}

/**
 * Which backend each store runs on (`sqlite`, `postgres`, `redis`, `memory`), as
 * {@link openStores} would place it: the metrics' `backend` label.
 *
 * @example
 * storeBackends({ database: 'postgres://db/gh', redis: 'redis://cache' }).sessions; // 'redis'
 */
export function storeBackends(options: StoreOptions): Record<StoreName, string> {
  const out = {} as Record<StoreName, string>;
  for (const name of STORE_NAMES) out[name] = parseStoreUrl(storeUrlOf(options, name)).kind;
  return out;
}

async function openBackend(url: string, parsed: StoreUrl): Promise<Backend> {
  if (parsed.kind === 'memory') return createMemoryStores();
  if (parsed.kind === 'redis') return openRedisStores(parsed.url, parsed.prefix, parsed.wait);
  const { db, dialect } = await openDatabase(url);
  try {
    await migrateToLatest(db, dialect);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return createSqlStores(db, dialect);
}
