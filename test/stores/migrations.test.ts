import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Migration, Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, openStores } from '../../src/stores/open.js';
import { migrateToLatest, migrations } from '../../src/stores/sql/migrations.js';
import { describeBackends, perTest } from './backends.js';
import { T0 } from './fixtures.js';

describeBackends(
  'migrations',
  (backend) => {
    const b = perTest(backend);

    it('are applied on open and idempotent afterwards', async () => {
      const url = b.current.url as string;
      expect(await migrate(url)).toEqual({ applied: [] });
      const { db, dialect } = await openDatabase(url);
      try {
        expect(await migrateToLatest(db, dialect)).toEqual([]);
      } finally {
        await db.destroy();
      }
    });

    it('keep data across a restart', async () => {
      const user = await b.stores.users.create({ username: 'kept', passwordHash: '', dateJoined: T0 });
      const again = await b.current.peer();
      expect(await again.users.findById(user.id)).toEqual(user);
    });
  },
  (backend) => backend.name !== 'memory' && !backend.name.startsWith('redis'),
);

describe('migrations on a new SQLite file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies every migration once, in name order', async () => {
    const url = `sqlite:${join(dir, 'fresh.db')}`;
    const names = Object.keys(migrations('sqlite'));
    expect(names).toEqual([...names].sort());
    expect(await migrate(url)).toEqual({ applied: names });
    expect(await migrate(url)).toEqual({ applied: [] });
  });

  it('0003 gives the users of an existing database email_verified, unverified, and finds them by address', async () => {
    const url = `sqlite:${join(dir, 'old.db')}`;
    const { db } = await openDatabase(url);
    try {
      // A database as 0001 left it, with a user in it.
      const initial = migrations('sqlite')['0001_initial']!;
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => ({ '0001_initial': initial }) },
        migrationTableName: 'gatehouse_migrations',
        migrationLockTableName: 'gatehouse_migrations_lock',
      });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      await sql`insert into gatehouse_users (username, email, password_hash, date_joined)
        values ('old', 'Old@example.com', '', ${T0})`.execute(db);
    } finally {
      await db.destroy();
    }
    expect(await migrate(url)).toEqual({
      applied: ['0002_refresh_successor', '0003_email_verified', '0004_mfa', '0005_passkeys'],
    });
    const stores = await openStores({ database: url });
    try {
      expect(await stores.users.findByUsername('old')).toMatchObject({ emailVerified: false });
      expect((await stores.users.findByEmail!('old@EXAMPLE.com')).map((u) => u.username)).toEqual(['old']);
    } finally {
      await stores.close();
    }
  });

  it('creates the tables and an index on every lookup column', async () => {
    const url = `sqlite:${join(dir, 'schema.db')}`;
    await migrate(url);
    const { db } = await openDatabase(url);
    try {
      const { rows } = await sql<{ type: string; name: string }>`
        select type, name from sqlite_master where name like 'gatehouse_%' order by name`.execute(db);
      const names = rows.map((r) => r.name);
      for (const index of [
        'gatehouse_users_username_key',
        'gatehouse_sessions_digest_key',
        'gatehouse_sessions_user_id',
        'gatehouse_sessions_expires_at',
        'gatehouse_api_tokens_digest_key',
        'gatehouse_api_tokens_user_id',
        'gatehouse_api_tokens_expires_at',
        'gatehouse_jwt_outstanding_user_id',
        'gatehouse_jwt_outstanding_family_id',
        'gatehouse_jwt_outstanding_expires_at',
        'gatehouse_jwt_blacklist_expires_at',
        'gatehouse_rate_limits_reset_at',
        'gatehouse_audit_user_id_at',
      ]) {
        expect(names).toContain(index);
      }
      // The per-request lookups must use their index, not scan the table.
      for (const [table, column] of [
        ['gatehouse_sessions', 'digest'],
        ['gatehouse_api_tokens', 'digest'],
      ] as const) {
        const plan = await sql<{ detail: string }>`
          explain query plan select * from ${sql.table(table)} where ${sql.ref(column)} = ${'x'}`.execute(db);
        expect(plan.rows.map((r) => r.detail).join(' ')).toMatch(/USING (COVERING )?INDEX/);
      }
    } finally {
      await db.destroy();
    }
  });

  it('0002 upgrades refresh state kept under 0001: a token spent then is reuse, never a replay', async () => {
    const url = `sqlite:${join(dir, 'upgrade.db')}`;
    const { db } = await openDatabase(url);
    try {
      const first = new Migrator({
        db,
        provider: {
          getMigrations: async () => ({ '0001_initial': migrations('sqlite')['0001_initial'] as Migration }),
        },
        migrationTableName: 'gatehouse_migrations',
        migrationLockTableName: 'gatehouse_migrations_lock',
      });
      expect((await first.migrateToLatest()).error).toBeUndefined();
      const row = { user_id: 1, family_id: 'f', issued_at: T0, expires_at: T0 + 86_400_000 };
      await db
        .insertInto('gatehouse_jwt_outstanding')
        .values({ ...row, jti: 'old-spent', spent_at: T0 })
        .execute();
      await db
        .insertInto('gatehouse_jwt_outstanding')
        .values({ ...row, jti: 'old-live', spent_at: null })
        .execute();
    } finally {
      await db.destroy();
    }
    expect(await migrate(url)).toEqual({
      applied: ['0002_refresh_successor', '0003_email_verified', '0004_mfa', '0005_passkeys'],
    });
    const stores = await openStores({ database: url });
    try {
      const next = (jti: string) => ({ jti, issuedAt: T0 + 1, expiresAt: T0 + 86_400_000 });
      expect((await stores.jwtState.rotate?.('old-spent', T0 + 1, next('n1'), 10_000))?.status).toBe(
        'reused',
      );
      expect((await stores.jwtState.rotate?.('old-live', T0 + 1, next('n2'), 10_000))?.status).toBe('spent');
      expect((await stores.jwtState.rotate?.('old-live', T0 + 2, next('n3'), 10_000))?.status).toBe(
        'replayed',
      );
    } finally {
      await stores.close();
    }
  });

  it('leaves memory: alone and refuses redis: as a database to migrate', async () => {
    expect(await migrate('memory:')).toEqual({ applied: [] });
    await expect(migrate('redis://localhost:6379')).rejects.toThrow('redis: has no schema to migrate');
  });

  it('lets a server start twice on the same file', async () => {
    const url = `sqlite:${join(dir, 'twice.db')}`;
    const first = await openStores({ database: url });
    await first.close();
    const second = await openStores({ database: url });
    expect(await second.health()).toEqual({ sqlite: 'ok' });
    await second.close();
  });
});

describeBackends(
  'migrations beside another gatehouse',
  (backend) => {
    const b = perTest(backend);

    it('apply in a fresh schema of a database where another schema already holds a gatehouse', async () => {
      // b.current is one gatehouse, migrated in its own schema; this is a second one beside it.
      const url = new URL(b.current.url as string);
      const schema = `gh_beside_${randomBytes(5).toString('hex')}`;
      const { db } = await openDatabase(url.toString());
      try {
        await sql.raw(`create schema ${schema}`).execute(db);
        url.searchParams.set('options', `-c search_path=${schema}`);
        expect(await migrate(url.toString())).toEqual({ applied: Object.keys(migrations('postgres')) });
        const second = await openStores({ database: url.toString() });
        expect(await second.users.count()).toBe(0);
        await second.close();
      } finally {
        await sql.raw(`drop schema ${schema} cascade`).execute(db);
        await db.destroy();
      }
    });
  },
  (backend) => backend.name === 'postgres',
);
