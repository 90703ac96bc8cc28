import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../../test/helpers/gatehouse.js';
import { describeUnavailable } from '../../../test/helpers/required.js';
import { StoreUnavailable } from '../../stores/errors.js';
import { createMemoryStores } from '../../stores/memory/index.js';
import { CLIENT_OPTIONS } from '../../stores/redis/client.js';
import { redisJwtStateStore } from '../../stores/redis/jwt-state.js';

const PW = 'correct horse battery staple';

describe('refresh while the users store is down', () => {
  it('answers 503 without spending the token, so the retry succeeds instead of looking like a replay', async () => {
    const t = await makeGatehouse({ authentication: ['jwt'] });
    await t.user('alice', PW);
    const pair = await t.call('POST', '/api/token/', { body: { username: 'alice', password: PW } });
    const { refresh } = pair.body as { refresh: string };
    const findById = t.stores.users.findById.bind(t.stores.users);
    t.stores.users.findById = async () => {
      throw new StoreUnavailable('users');
    };
    const down = await t.call('POST', '/api/token/refresh/', { body: { refresh } });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'service_unavailable' });
    t.stores.users.findById = findById;
    const retry = await t.call('POST', '/api/token/refresh/', { body: { refresh } });
    expect(retry.status).toBe(200);
    expect(retry.body).toHaveProperty('access');
  });
});

/** Whether redis-server can be started here (CI installs it; scripts/services.sh needs it too). */
function redisServerMissing(): string | null {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'redis-server is not installed';
  }
}

const missing = redisServerMissing();
const TITLE = 'refresh while Redis stalls past the command timeout (JWT state on Redis)';

if (missing !== null) describeUnavailable(TITLE, missing, ['redis']);
else
  describe(TITLE, () => {
    // A Redis of this test's own, on a unix socket: pausing the shared one would stall every
    // other test that uses it.
    let dir: string;
    let server: ChildProcess;
    let client: Redis;
    let admin: Redis;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-stall-'));
      const socket = join(dir, 'redis.sock');
      server = spawn(
        'redis-server',
        [
          '--port',
          '0',
          '--unixsocket',
          socket,
          '--unixsocketperm',
          '700',
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      );
      admin = new Redis({
        path: socket,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => 50,
      });
      admin.on('error', () => {});
      // Poll until the server answers (it creates the socket when it is ready).
      for (;;) {
        try {
          await admin.connect();
          await admin.ping();
          break;
        } catch {
          admin.disconnect();
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      // The store's own client options: the 2 s command timeout, no resend, no offline queue.
      client = new Redis({ ...CLIENT_OPTIONS, path: socket });
      client.on('error', () => {});
      await client.connect();
    }, 30_000);

    afterAll(async () => {
      client?.disconnect();
      admin?.disconnect();
      server?.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a refresh that answered 503 leaves its token refreshable: the retry is no theft', async () => {
      const stores = { ...createMemoryStores(), jwtState: redisJwtStateStore(client, 'stall:') };
      const t = await makeGatehouse({ authentication: ['jwt'] }, { stores });
      await t.user('alice', PW);
      const login = async () =>
        (
          (await t.call('POST', '/api/token/', { body: { username: 'alice', password: PW } })).body as {
            refresh: string;
          }
        ).refresh;
      // A server that has refreshed before: Redis holds the scripts (a first EVALSHA would only
      // meet NOSCRIPT, and change nothing).
      expect((await t.call('POST', '/api/token/refresh/', { body: { refresh: await login() } })).status).toBe(
        200,
      );
      const refresh = await login();
      // Redis stops running writes (scripts included) for longer than the client waits for one (2 s),
      // with room for a slow machine to send the spend well inside the pause.
      await admin.call('CLIENT', 'PAUSE', '6000', 'WRITE');
      const stalled = await t.call('POST', '/api/token/refresh/', { body: { refresh } });
      expect(stalled.status).toBe(503);
      // A write queued behind the stalled spend returns once Redis has run that spend, or not.
      await admin.set('stall:probe', '1');
      const retry = await t.call('POST', '/api/token/refresh/', { body: { refresh } });
      expect(retry.status).toBe(200);
      expect(retry.body).toHaveProperty('refresh');
      const events = (await t.stores.audit.list({ limit: 20 })).map((e) => e.event);
      expect(events).not.toContain('refresh_reuse_detected');
      expect(events).toContain('refresh_rotated');
    }, 30_000);
  });
