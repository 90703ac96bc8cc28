/**
 * Measures the per-call cost of the per-request lookups on PostgreSQL: unnamed statements through
 * Kysely (each one parsed and planned by the server on every call) against named prepared
 * statements on the pool (what the stores do, prepared.ts). Not a test.
 *
 *   GATEHOUSE_TEST_POSTGRES_URL=postgres://… npx jiti test/stores/bench-pg-lookups.ts
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { Bench } from 'tinybench';
import { openDatabase } from '../../src/stores/open.js';
import type { Database } from '../../src/stores/sql/index.js';
import { migrateToLatest, sqlSessionStore, sqlUserStore } from '../../src/stores/sql/index.js';
import { freshPostgres } from './backends.js';
import { printLatencies } from './bench-table.js';
import { session, T0 } from './fixtures.js';

const { url, drop } = await freshPostgres();
const { db: named } = await openDatabase(url);
await migrateToLatest(named, 'postgres');

// Seed: 10k users and sessions so the indexes matter.
const users = sqlUserStore(named, 'postgres');
const sessions = sqlSessionStore(named, users);
const digests: string[] = [];
for (let i = 0; i < 10_000; i++) {
  const user = await users.create({ username: `user${i}`, passwordHash: '$argon2id$x', dateJoined: T0 });
  const s = session({ userId: user.id });
  digests.push(s.digest);
  await sessions.create(s);
}

// "Before": the same stores over a pool Kysely alone knows, so every lookup is an unnamed query.
const plain = new Kysely<Database>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }),
});
const plainUsers = sqlUserStore(plain, 'postgres');
const plainSessions = sqlSessionStore(plain, plainUsers);

let i = 0;
const next = (): string => digests[i++ % digests.length] as string;
const id = (): number => (i++ % 10_000) + 1;
const bench = new Bench({ time: 3_000, warmup: true });
bench
  .add('session + user (withUser): unnamed via Kysely (before)', async () => {
    await plainSessions.withUser!.findByDigest(next());
  })
  .add('session + user (withUser): named statement on the pool', async () => {
    await sessions.withUser!.findByDigest(next());
  })
  .add('users.findById: unnamed via Kysely (before)', async () => {
    await plainUsers.findById(id());
  })
  .add('users.findById: named statement on the pool', async () => {
    await users.findById(id());
  });
await bench.run();
printLatencies(bench, 1);
await plain.destroy();
await named.destroy();
await drop();
