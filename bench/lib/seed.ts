/**
 * Seeding through gatehouse's own code paths: users are created by `createUser` (validators,
 * argon2id with the OWASP parameters, the audit row), exactly as `gatehouse createuser` does.
 */
import { createGatehouse, defineConfig, openStores } from '../../src/index.js';
import { createUser } from '../../src/testing.js';
import type { BenchUser } from './credentials.js';

/** Long and unlike any username, so Django's validators accept it for every user. */
export const BENCH_PASSWORD = 'tr0ub4dor&3-staple-bench';

/**
 * `count` users named user00, user01, … in the SQLite file at `databaseUrl` (created and
 * migrated if new). Returns them with their password.
 *
 * @example
 * const users = await seedUsers('sqlite:/tmp/bench/gatehouse.db', 32, secretKey);
 */
export async function seedUsers(databaseUrl: string, count: number, secretKey: string): Promise<BenchUser[]> {
  const config = defineConfig({
    secretKey,
    database: databaseUrl,
    production: true,
    // Only the context is used; any scheme every build has will do.
    authentication: ['jwt'],
    logLevel: 'warn',
  });
  const stores = await openStores(config);
  try {
    const gh = createGatehouse({ config, stores });
    const users: BenchUser[] = [];
    for (let i = 0; i < count; i++)
      users.push({ username: `user${String(i).padStart(2, '0')}`, password: BENCH_PASSWORD });
    // The hasher bounds its own concurrency: hashing all at once keeps both cores busy.
    await Promise.all(users.map((u) => createUser(gh.ctx, { username: u.username, password: u.password })));
    return users;
  } finally {
    await stores.close();
  }
}
