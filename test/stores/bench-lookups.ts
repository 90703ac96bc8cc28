/**
 * Measures the per-call cost of the per-request lookups on SQLite: built and prepared per call
 * (plain Kysely) against compiled once + statement cache (what the stores do). Not a test.
 *
 *   npx jiti test/stores/bench-lookups.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Bench } from 'tinybench';
import { openDatabase } from '../../src/stores/open.js';
import type { Database } from '../../src/stores/sql/index.js';
import { migrateToLatest, sqlSessionStore, sqlUserStore } from '../../src/stores/sql/index.js';
import { printLatencies } from './bench-table.js';
import { session, T0 } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const file = join(dir, 'bench.db');
const { db: cached } = await openDatabase(`sqlite:${file}`);
await migrateToLatest(cached, 'sqlite');

// Seed: 10k sessions and users so the indexes matter.
const sessions = sqlSessionStore(cached);
const users = sqlUserStore(cached, 'sqlite');
const digests: string[] = [];
for (let i = 0; i < 10_000; i++) {
  const s = session({ userId: i + 1 });
  digests.push(s.digest);
  await sessions.create(s);
  await users.create({ username: `user${i}`, passwordHash: '$argon2id$x', dateJoined: T0 });
}

// "Before": Kysely over a plain better-sqlite3 handle, the query built on every call.
const raw = new BetterSqlite3(file);
raw.pragma('journal_mode = WAL');
const plain = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });

const stmt = raw.prepare('select * from gatehouse_sessions where digest = ?');
const plainSessions = sqlSessionStore(plain);

let i = 0;
const next = (): string => digests[i++ % digests.length] as string;
const bench = new Bench({ time: 2_000, warmup: true });
bench
  .add('session findByDigest: built + prepared per call (before)', async () => {
    await plain.selectFrom('gatehouse_sessions').selectAll().where('digest', '=', next()).executeTakeFirst();
  })
  .add('session findByDigest: built per call, statement cached', async () => {
    await cached.selectFrom('gatehouse_sessions').selectAll().where('digest', '=', next()).executeTakeFirst();
  })
  .add('session findByDigest: compiled once, prepared per call', async () => {
    await plainSessions.findByDigest(next());
  })
  .add('session findByDigest: store (compiled once + statement cached)', async () => {
    await sessions.findByDigest(next());
  })
  .add('users.findById: built + prepared per call (before)', async () => {
    await plain
      .selectFrom('gatehouse_users')
      .selectAll()
      .where('id', '=', (i++ % 10_000) + 1)
      .executeTakeFirst();
  })
  .add('users.findById: store (compiled once + statement cached)', async () => {
    await users.findById((i++ % 10_000) + 1);
  })
  .add('raw better-sqlite3 prepared .get() (floor)', () => {
    stmt.get(next());
  });
await bench.run();
printLatencies(bench);
await plain.destroy();
await cached.destroy();
rmSync(dir, { recursive: true, force: true });
