import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, openStores } from '../../src/stores/open.js';
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
    });
    expect(parseStoreUrl('redis://h')).toMatchObject({ prefix: 'gatehouse:' });
    expect(() => parseStoreUrl('redis://h?prefix=')).toThrow(/must not be empty/);
  });

  it('reports an unreachable PostgreSQL as StoreUnavailable', async () => {
    // Port 1 on localhost: nothing listens there, so the connection is refused at once.
    await expect(openStores({ database: 'postgres://u:p@127.0.0.1:1/db' })).rejects.toMatchObject({
      name: 'StoreUnavailable',
    });
  });
});
