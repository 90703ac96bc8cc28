/**
 * A networked backend that goes away while gatehouse runs: every call fails fast with
 * StoreUnavailable (the HTTP layer's 503), health says down, nothing crashes, and service resumes
 * by itself when the server is back. The outage is a proxy between the stores and the server.
 */
import { afterEach, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/stores/errors.js';
import { openStores } from '../../src/stores/open.js';
import type { Stores } from '../../src/stores/types.js';
import { describeBackends, perTest, type StoreBackend } from './backends.js';
import { refresh, T0 } from './fixtures.js';
import { type TcpProxy, tcpProxy } from './proxy.js';

async function eventually(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not recovered within ${ms} ms`);
}

/**
 * For both suites below: a fresh `backend` per test, and a function that opens its stores through
 * a proxy the test can cut. The stores and the proxy are closed after each test.
 */
function storesBehindProxy(backend: StoreBackend): () => Promise<{ proxy: TcpProxy; stores: Stores }> {
  const b = perTest(backend);
  let proxy: TcpProxy | undefined;
  let stores: Stores | undefined;
  afterEach(async () => {
    await stores?.close();
    await proxy?.close();
  });
  return async () => {
    const url = new URL(b.current.url as string);
    proxy = await tcpProxy(url.hostname, Number(url.port));
    url.host = `127.0.0.1:${proxy.port}`;
    stores = await openStores(
      backend.name === 'redis'
        ? { database: 'memory:', redis: url.toString() }
        : { database: url.toString() },
    );
    return { proxy, stores };
  };
}

describeBackends(
  'Stores during an outage',
  (backend) => {
    /** The backend's stores, reached through a proxy. */
    const throughProxy = storesBehindProxy(backend);
    const probe = (s: Stores): Promise<unknown> => s.sessions.findByDigest('0'.repeat(64));
    const isDown = async (s: Stores): Promise<boolean> => Object.values(await s.health()).includes('down');

    it('refuses every call at once while the server is down, then resumes by itself', async () => {
      const { proxy, stores } = await throughProxy();
      const t = refresh();
      await stores.jwtState.recordOutstanding(t);
      expect(await isDown(stores)).toBe(false);

      await proxy.cut();
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const err = await probe(stores).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreUnavailable);
        expect(Date.now() - started).toBeLessThan(1_000);
      }
      const spend = await stores.jwtState.spend(t.jti, T0).catch((e: unknown) => e);
      expect(spend).toMatchObject({ name: 'StoreUnavailable', store: 'jwtState' });
      expect(await isDown(stores)).toBe(true);

      await proxy.restore();
      const took = await eventually(
        () =>
          probe(stores).then(
            () => true,
            () => false,
          ),
        10_000,
      );
      expect(took).toBeLessThan(5_000);
      expect(await isDown(stores)).toBe(false);
      // The refused spend changed nothing: the token is still outstanding, spent once now.
      expect((await stores.jwtState.spend(t.jti, T0)).status).toBe('spent');
    });

    it('gives up on a server that accepts connections but stops answering, then resumes', async () => {
      const { proxy, stores } = await throughProxy();
      await probe(stores);
      proxy.freeze();
      const started = Date.now();
      expect(await probe(stores).catch((e: unknown) => e)).toBeInstanceOf(StoreUnavailable);
      expect(Date.now() - started).toBeLessThan(3_000);
      await proxy.restore();
      await eventually(
        () =>
          probe(stores).then(
            () => true,
            () => false,
          ),
        10_000,
      );
    });

    it('does not apply a refresh spend that reaches Redis after its client gave up (503)', async () => {
      const { proxy, stores } = await throughProxy();
      const t = refresh();
      await stores.jwtState.recordOutstanding(t);
      // A first spend of another token: the store's sample of Redis's clock is taken.
      const other = refresh();
      await stores.jwtState.recordOutstanding(other);
      expect((await stores.jwtState.spend(other.jti, T0)).status).toBe('spent');

      proxy.hold();
      const spend = await stores.jwtState.spend(t.jti, T0).catch((e: unknown) => e);
      expect(spend).toMatchObject({ name: 'StoreUnavailable', store: 'jwtState' });
      // The spend reaches Redis now, after the client answered 503: the script refuses to run.
      proxy.release();
      await new Promise((r) => setTimeout(r, 200));
      // So the client's retry spends the token; it is not taken for a replay of a spent one.
      expect((await stores.jwtState.spend(t.jti, T0)).status).toBe('spent');
    });
  },
  // The freeze test waits for the client-side timeout: Redis's is 2 s, PostgreSQL's 10 s; the
  // cut-and-restore path is the one both share, so PostgreSQL runs only that one (below).
  (backend) => backend.name === 'redis',
);

describeBackends(
  'Stores during an outage',
  (backend) => {
    const throughProxy = storesBehindProxy(backend);

    it('refuses every call at once while the server is down, then resumes by itself', async () => {
      const { proxy, stores } = await throughProxy();
      const user = await stores.users.create({ username: 'o', passwordHash: '', dateJoined: T0 });
      // Several pooled connections sit idle when the server goes: their errors must not crash us.
      await Promise.all(Array.from({ length: 5 }, () => stores.users.findById(user.id)));

      await proxy.cut();
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const err = await stores.users.findById(user.id).catch((e: unknown) => e);
        expect(err).toMatchObject({ name: 'StoreUnavailable', store: 'users' });
        expect(Date.now() - started).toBeLessThan(1_000);
      }
      expect(await stores.health()).toEqual({ postgres: 'down' });

      await proxy.restore();
      await eventually(
        () =>
          stores.users.findById(user.id).then(
            () => true,
            () => false,
          ),
        10_000,
      );
      expect(await stores.health()).toEqual({ postgres: 'ok' });
    });
  },
  (backend) => backend.name === 'postgres',
);
