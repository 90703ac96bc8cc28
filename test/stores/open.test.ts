import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineConfig } from '../../src/core/config.js';
import { openDatabase, openStores } from '../../src/stores/open.js';
import { parseRedisTopology } from '../../src/stores/redis/topology.js';
import { parseStoreUrl } from '../../src/stores/url.js';
import { MINUTE, T0 } from './fixtures.js';

describe('parseStoreUrl', () => {
  it('reads every accepted form', () => {
    expect(parseStoreUrl('memory:')).toEqual({ kind: 'memory' });
    expect(parseStoreUrl('sqlite:./data/g.db', '/srv/app')).toEqual({
      kind: 'sqlite',
      filename: '/srv/app/data/g.db',
    });
    expect(parseStoreUrl('sqlite:g.db', '/srv')).toEqual({ kind: 'sqlite', filename: '/srv/g.db' });
    expect(parseStoreUrl('sqlite:///var/lib/g.db', '/srv')).toEqual({
      kind: 'sqlite',
      filename: '/var/lib/g.db',
    });
    expect(parseStoreUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', filename: ':memory:' });
    expect(parseStoreUrl('postgres://u:p@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u:p@h/db' });
    expect(parseStoreUrl('postgresql://h/db').kind).toBe('postgres');
    expect(parseStoreUrl('rediss://h:6380').kind).toBe('redis');
  });

  it('names the accepted forms, without echoing a URL that may hold a password', () => {
    expect(() => parseStoreUrl('mysql://root:hunter2@h/db')).toThrow(/expected "sqlite:/);
    expect(() => parseStoreUrl('mysql://root:hunter2@h/db')).not.toThrow(/hunter2/);
    expect(() => parseStoreUrl('sqlite:')).toThrow(/needs a file name/);
  });
});

describe('openDatabase / openStores', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-open-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a relative SQLite path (and its directory) under cwd, in WAL mode with a busy timeout', async () => {
    const { db, dialect } = await openDatabase('sqlite:./nested/dir/g.db', dir);
    try {
      expect(dialect).toBe('sqlite');
      expect(statSync(join(dir, 'nested/dir/g.db')).isFile()).toBe(true);
      const pragma = async (name: string): Promise<unknown> =>
        Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('busy_timeout')).toBe(5000);
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('synchronous')).toBe(1); // NORMAL
    } finally {
      await db.destroy();
    }
  });

  it('opens sqlite::memory: and migrates it', async () => {
    const stores = await openStores({ database: 'sqlite::memory:' });
    const u = await stores.users.create({ username: 'm', passwordHash: '', dateJoined: T0 });
    expect(await stores.users.findById(u.id)).toEqual(u);
    await stores.close();
  });

  it('opens memory: stores', async () => {
    const stores = await openStores({ database: 'memory:' });
    expect(await stores.health()).toEqual({ memory: 'ok' });
    await stores.close();
  });

  it('places one store elsewhere with a per-store URL, opening each URL once', async () => {
    const database = `sqlite:${join(dir, 'main.db')}`;
    const stores = await openStores({ database, stores: { rateLimits: 'memory:', audit: database } });
    try {
      expect(await stores.health()).toEqual({ sqlite: 'ok', memory: 'ok' });
      await stores.rateLimits.hit('k', MINUTE, T0);
      // The SQLite file's own rate-limit table never saw that hit.
      const { db } = await openDatabase(database);
      const { rows } = await sql<{ n: number }>`select count(*) as n from gatehouse_rate_limits`.execute(db);
      await db.destroy();
      expect(rows[0]?.n).toBe(0);
    } finally {
      await stores.close();
    }
  });

  it('refuses Redis for a store it cannot hold, before opening anything', async () => {
    await expect(openStores({ database: 'redis://127.0.0.1:1' })).rejects.toThrow(
      /users: Redis holds sessions, refresh state \(jwtState\) and rate limits only/,
    );
    await expect(
      openStores({ database: 'memory:', stores: { apiTokens: 'redis://127.0.0.1:1' } }),
    ).rejects.toThrow(/apiTokens: Redis holds/);
  });

  it('reports an unreachable Redis as StoreUnavailable, quickly', async () => {
    const started = Date.now();
    await expect(openStores({ database: 'memory:', redis: 'redis://127.0.0.1:1' })).rejects.toMatchObject({
      name: 'StoreUnavailable',
      store: 'redis',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reads the key prefix from a Redis URL and keeps it from the client', () => {
    expect(parseStoreUrl('redis://:pw@h:6380/2?prefix=app:staging:')).toEqual({
      kind: 'redis',
      url: 'redis://:pw@h:6380/2',
      prefix: 'app:staging:',
      wait: 0,
    });
    expect(parseStoreUrl('redis://h')).toMatchObject({ prefix: 'gatehouse:' });
    expect(() => parseStoreUrl('redis://h?prefix=')).toThrow(/must not be empty/);
  });

  it('reads a cluster URL: several nodes, no database, ?wait= for the replicas a write must reach', () => {
    const parsed = parseStoreUrl('redis+cluster://:s3cret@10.0.0.1:7000,[::1]:7001?prefix=app:&wait=1');
    expect(parsed).toEqual({
      kind: 'redis',
      url: 'redis+cluster://:s3cret@10.0.0.1:7000,[::1]:7001',
      prefix: 'app:',
      wait: 1,
    });
    expect(parseRedisTopology((parsed as { url: string }).url)).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
      ],
      password: 's3cret',
    });
    expect(parseStoreUrl('redis+cluster://h:7000')).toMatchObject({ prefix: 'gatehouse:', wait: 0 });
    expect(() => parseStoreUrl('redis+cluster://h:7000/1')).toThrow(/no databases/);
    expect(() => parseStoreUrl('redis+cluster://h')).toThrow(/host:port/);
    expect(() => parseStoreUrl('redis+cluster://h:7000?tls=1')).toThrow(/does not take the parameter "tls"/);
  });

  it('reads a sentinel URL: the sentinels, the master name, a database; a write waits for 1 replica by default', () => {
    const parsed = parseStoreUrl(
      'redis+sentinel://u:p%40ss@s1:26379,s2:26380/mymaster/3?sentinelPassword=sp',
    );
    expect(parsed).toMatchObject({ kind: 'redis', prefix: 'gatehouse:', wait: 1 });
    expect(parseRedisTopology((parsed as { url: string }).url)).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'mymaster',
      db: 3,
      username: 'u',
      password: 'p@ss',
      sentinelPassword: 'sp',
    });
    expect(parseStoreUrl('redis+sentinel://s1:26379/m?wait=0')).toMatchObject({ wait: 0 });
    expect(parseRedisTopology('redis+sentinel://s1:26379/m')).toMatchObject({ name: 'm', db: 0 });
    expect(() => parseStoreUrl('redis+sentinel://s1:26379')).toThrow(/names the master/);
    expect(() => parseStoreUrl('redis+sentinel://s1:26379/m?wait=x')).toThrow(/0 to 99/);
    // The password never appears in an error.
    expect(() => parseStoreUrl('redis+sentinel://:hunter2@s1/m')).toThrow(/^(?!.*hunter2)/);
  });

  it('accepts cluster and sentinel URLs in the config, and says so when a URL is wrong', () => {
    const secretKey = 'a-test-secret-key-of-more-than-32-characters';
    const redis = (url: string) => () => defineConfig({ secretKey, database: 'memory:', redis: url });
    expect(redis('redis+sentinel://127.0.0.1:26379/gatehouse')).not.toThrow();
    expect(redis('redis+cluster://127.0.0.1:7000')).not.toThrow();
    expect(redis('cluster://x')).toThrow(/redis\+cluster:\/\/…/);
  });

  it('reports an unreachable cluster or sentinel setup as StoreUnavailable, within the start-up bound', async () => {
    for (const redis of [
      'redis+cluster://127.0.0.1:1,127.0.0.1:2',
      'redis+sentinel://127.0.0.1:1/gatehouse',
    ]) {
      await expect(openStores({ database: 'memory:', redis })).rejects.toMatchObject({
        name: 'StoreUnavailable',
        store: 'redis',
      });
    }
  }, 30_000);

  it('reports an unreachable PostgreSQL as StoreUnavailable', async () => {
    // Port 1 on localhost: nothing listens there, so the connection is refused at once.
    await expect(openStores({ database: 'postgres://u:p@127.0.0.1:1/db' })).rejects.toMatchObject({
      name: 'StoreUnavailable',
    });
  });
});
