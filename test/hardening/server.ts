import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { defineConfig, type GatehouseConfigInput } from '../../src/core/config.js';
import { buildServer, type Server } from '../../src/server/app.js';
import { openStores } from '../../src/stores/open.js';
import { FAST_HASHING, TEST_SECRET } from '../helpers/gatehouse.js';
import { tempProject } from '../helpers/temp.js';

export const PASSWORD = 'correct horse battery staple';

/** Every throttle off, back-off included: for tests that sign in or register many times. */
export const THROTTLE_OFF = {
  login: null,
  loginUsername: null,
  refresh: null,
  register: null,
  passwordChange: null,
  backoffAfter: 0,
};

/** The real standalone server on a temp SQLite file, listening on loopback. */
export interface HardeningServer extends Server {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Everything the logger wrote (with `logs: true`), one JSON line per entry. */
  logs(): string;
  close(): Promise<void>;
}

/**
 * Starts buildServer over a fresh SQLite file (or `overrides.database`) with a user `alice`. `logs: true` sends pino's
 * output, at level trace, to a buffer the test can read; otherwise logging is off.
 *
 * @example
 * const s = await startHardeningServer({ authentication: ['jwt'] }, { logs: true });
 * await fetch(`${s.origin}/api/me/`);
 * await s.close();
 */
export async function startHardeningServer(
  overrides: Partial<GatehouseConfigInput> = {},
  opts: { logs?: boolean } = {},
): Promise<HardeningServer> {
  const config = defineConfig({
    secretKey: TEST_SECRET,
    authentication: ['session', 'token', 'jwt', 'basic'],
    signup: true,
    ...overrides,
    database: overrides.database ?? `sqlite:${join(tempProject(), 'gatehouse.db')}`,
    passwords: { argon2: FAST_HASHING, ...overrides.passwords },
    // A sign-up's verification mail lands in the test's own folder, never in the repository.
    email: { outbox: join(tempProject(), 'outbox'), ...overrides.email },
  } as GatehouseConfigInput);
  const stores = await openStores(config);
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const server = await buildServer({
    config,
    stores,
    logger: opts.logs
      ? {
          level: 'trace',
          stream: sink,
          // What the real server redacts (buildServer's default options), so this tests it.
          redact: ['req.headers.authorization', 'req.headers.cookie'],
        }
      : false,
  });
  const { app, gh } = server;
  await gh.ctx.stores.users.create({
    username: 'alice',
    email: 'alice@example.com',
    passwordHash: await gh.ctx.passwords.hash(PASSWORD),
    isAdmin: false,
    isActive: true,
    dateJoined: Date.now(),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    ...server,
    origin: `http://127.0.0.1:${port}`,
    port,
    logs: () => chunks.join(''),
    close: () => app.close(),
  };
}
