import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { createGatehouse, type Gatehouse } from '../../src/contract/gatehouse.js';
import { buildOpenApi } from '../../src/contract/openapi.js';
import { ManualClock } from '../../src/core/clock.js';
import { type GatehouseConfigInput, resolveConfig } from '../../src/core/config.js';
import { createPasswordHasher } from '../../src/crypto/passwords/hasher.js';
import { buildServer } from '../../src/server/app.js';
import { serverOpenApi } from '../../src/server/schema.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { openStores } from '../../src/stores/open.js';
import type { Stores, UserRecord } from '../../src/stores/types.js';
import { FAST_HASHING, TEST_SECRET } from '../helpers/gatehouse.js';
import { tempProject } from '../helpers/temp.js';
import { freshPostgres } from '../stores/backends.js';
import { startExpressApp } from './apps/express.js';
import { startFastifyApp } from './apps/fastify.js';
import { startHonoApp } from './apps/hono.js';
import { type Conformance, conformance } from './conformance/check.js';

export const PASSWORD = 'correct horse battery staple';

/** One running target of the contract suite. */
export interface RunningTarget {
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Where the contract is mounted ('' for the standalone server). */
  readonly prefix: string;
  /** origin + prefix: contract paths are appended to it. */
  readonly base: string;
  /** True when the target serves the test app's own routes (apps/routes.ts) at the origin. */
  readonly app: boolean;
  readonly gh: Gatehouse;
  readonly clock: ManualClock;
  /** Creates an active user with PASSWORD (validators skipped). */
  user(
    username: string,
    extra?: Partial<Pick<UserRecord, 'isAdmin' | 'isActive' | 'email'>>,
  ): Promise<UserRecord>;
  close(): Promise<void>;
}

export interface Target {
  readonly name: 'server' | 'fastify' | 'express' | 'hono';
  start(config?: Partial<GatehouseConfigInput>): Promise<RunningTarget>;
}

type Started = { origin: string; close: () => Promise<void> };
type StoreKind = 'memory' | 'sqlite';

function makeConfig(overrides: Partial<GatehouseConfigInput>, store: StoreKind, database?: string) {
  const dir = tempProject();
  return resolveConfig({
    secretKey: TEST_SECRET,
    authentication: ['basic'],
    ...overrides,
    database: database ?? (store === 'sqlite' ? `sqlite:${join(dir, 'gatehouse.db')}` : 'memory:'),
    passwords: { argon2: FAST_HASHING, ...overrides.passwords },
    // A mail a test sends without SMTP lands in the test's own folder, never in the repository.
    email: { outbox: join(dir, 'outbox'), ...overrides.email },
  } as GatehouseConfigInput);
}

function running(
  name: Target['name'],
  gh: Gatehouse,
  clock: ManualClock,
  prefix: string,
  started: Started,
  stores: Stores,
): RunningTarget {
  return {
    name,
    origin: started.origin,
    prefix,
    base: started.origin + prefix,
    app: name !== 'server',
    gh,
    clock,
    async user(username, extra = {}) {
      return gh.ctx.stores.users.create({
        username,
        email: extra.email ?? `${username}@example.com`,
        passwordHash: await gh.ctx.passwords.hash(PASSWORD),
        isAdmin: extra.isAdmin ?? false,
        isActive: extra.isActive ?? true,
        dateJoined: clock.now(),
      });
    },
    async close() {
      await started.close();
      if (name !== 'server') await stores.close();
    },
  };
}

/** An adapter target: a gatehouse over `store`, mounted under `prefix` in the framework's test app. */
function adapterTarget(
  name: 'fastify' | 'express' | 'hono',
  prefix: string,
  store: StoreKind,
  startApp: (gh: Gatehouse, prefix: string) => Promise<Started>,
): Target {
  return {
    name,
    async start(overrides = {}) {
      const config = makeConfig(overrides, store);
      const stores = store === 'sqlite' ? await openStores(config) : createMemoryStores();
      const clock = new ManualClock(Date.now());
      const gh = createGatehouse({
        config,
        stores,
        clock,
        passwords: createPasswordHasher(config.passwords),
      });
      return running(name, gh, clock, prefix, await startApp(gh, prefix), stores);
    },
  };
}

/**
 * Every target the contract suite runs against: the standalone server (temp SQLite, contract at
 * the root) and a small app per adapter with the contract under a prefix of its own, so prefix
 * mounting is exercised by every test.
 */
export const TARGETS: readonly Target[] = [
  {
    name: 'server',
    async start(overrides = {}) {
      const config = makeConfig(overrides, 'sqlite');
      const clock = new ManualClock(Date.now());
      const stores = await openStores(config);
      const { app, gh } = await buildServer({ config, stores, clock, logger: false });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      return running('server', gh, clock, '', { origin, close: () => app.close() }, stores);
    },
  },
  adapterTarget('fastify', '/auth', 'memory', startFastifyApp),
  adapterTarget('express', '/gh/v1', 'sqlite', startExpressApp),
  adapterTarget('hono', '/auth', 'memory', startHonoApp),
];

/**
 * The standalone server over a fresh PostgreSQL schema (dropped at close), for the suites that
 * must run on both SQL dialects.
 */
export const POSTGRES_SERVER: Target = {
  name: 'server',
  async start(overrides = {}) {
    const { url, drop } = await freshPostgres();
    const config = makeConfig(overrides, 'sqlite', url);
    const clock = new ManualClock(Date.now());
    const stores = await openStores(config);
    const { app, gh } = await buildServer({ config, stores, clock, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const close = async () => {
      await app.close();
      await drop();
    };
    return running('server', gh, clock, '', { origin, close }, stores);
  },
};

/** The adapter targets: those that serve the test app's own guarded routes. */
export const ADAPTER_TARGETS: readonly Target[] = TARGETS.filter((t) => t.name !== 'server');

/**
 * Starts `target` with `config` before the tests of the enclosing describe and stops it after;
 * returns a getter for the running target. Every answer the tests receive from it by `send` is
 * checked against the target's own OpenAPI document (what the server serves at /api/schema/,
 * buildOpenApi on an adapter), so the document cannot drift from the wire (conformance/check.ts).
 *
 * @example
 * const t = useTarget(target, { signup: true });
 * it('…', async () => { await fetch(`${t().base}/api/me/`); });
 */
export function useTarget(target: Target, config: Partial<GatehouseConfigInput> = {}): () => RunningTarget {
  let running: RunningTarget | undefined;
  let checked: Conformance | undefined;
  beforeAll(async () => {
    running = await target.start(config);
    const doc =
      running.name === 'server'
        ? serverOpenApi(running.gh)
        : buildOpenApi(running.gh, { prefix: running.prefix });
    checked = conformance(doc, running.origin);
    checked.listen();
  });
  afterAll(async () => {
    checked?.stop();
    await running?.close();
    expect(checked?.problems ?? [], 'answers unlike the OpenAPI document').toEqual([]);
  });
  return () => {
    if (!running) throw new Error(`${target.name} did not start`);
    return running;
  };
}
