/**
 * Refresh from many tabs across instances: two `gatehouse serve` processes over one PostgreSQL
 * database, with the refresh state in Redis and then in PostgreSQL itself. Presentations of one
 * refresh token landing on both instances at once make one rotation, and every caller carries the
 * same successor; once that successor is spent, the old token is theft again on either instance.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open.js';
import type { Stores } from '../../src/stores/types.js';
import type { RunningServer } from '../helpers/cli.js';
import { call, describeIf, MISSING_POSTGRES_REDIS, PASSWORD, startPairOnTestServers } from './cluster.js';

for (const state of ['redis', 'postgres'] as const) {
  describeIf(
    MISSING_POSTGRES_REDIS,
    ['postgres', 'redis'],
    `refresh grace window over two instances (JWT state in ${state})`,
    () => {
      let a: RunningServer;
      let b: RunningServer;
      let stores: Stores;
      const cleanup: (() => Promise<void>)[] = [];

      beforeAll(async () => {
        const pair = await startPairOnTestServers(cleanup, {
          // Without a Redis URL every store, the refresh state included, is PostgreSQL's.
          editEnv: (env) => {
            if (state === 'postgres') delete env['GATEHOUSE_REDIS_URL'];
          },
        });
        ({ a, b } = pair);
        // The audit trail, read where both instances write it.
        stores = await openStores({ database: pair.databaseUrl });
        cleanup.unshift(() => stores.close());
      }, 60_000);

      afterAll(async () => {
        for (const step of cleanup) await step();
      }, 30_000);

      const pairFor = async (username: string): Promise<{ access: string; refresh: string }> => {
        const r = await call(a, 'POST', '/api/auth/register/', { json: { username, password: PASSWORD } });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        const p = await call(a, 'POST', '/api/token/', { json: { username, password: PASSWORD } });
        expect(p.status, JSON.stringify(p.body)).toBe(200);
        return p.body as { access: string; refresh: string };
      };
      const refresh = (server: RunningServer, token: string) =>
        call(server, 'POST', '/api/token/refresh/', { json: { refresh: token } });
      const eventsOf = async (userId: number) =>
        (await stores.audit.list({ userId, limit: 200 })).map((e) => e.event);

      it('20 presentations at once over A and B: one rotation, every caller 200 with the same successor', async () => {
        const pair = await pairFor(`tabs-${state}`);
        const replies = await Promise.all(
          Array.from({ length: 20 }, (_, i) => refresh(i % 2 ? b : a, pair.refresh)),
        );
        expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
        const successors = new Set(replies.map((r) => r.body.refresh));
        expect(successors.size).toBe(1);
        const me = await call(b, 'GET', '/api/me/', { auth: `Bearer ${replies[0]?.body.access as string}` });
        expect(me.status).toBe(200);
        const events = await eventsOf(me.body.id as number);
        expect(events.filter((e) => e === 'refresh_rotated')).toHaveLength(1);
        expect(events.filter((e) => e === 'refresh_replayed')).toHaveLength(19);
        expect(events).not.toContain('refresh_reuse_detected');
        // The one chain goes on, on either instance.
        const next = await refresh(b, [...successors][0] as string);
        expect(next.status).toBe(200);
        expect((await refresh(a, next.body.refresh as string)).status).toBe(200);
      });

      it('the old token on B once A spent its successor: reuse, and the family ends on both', async () => {
        const pair = await pairFor(`stolen-${state}`);
        const second = await refresh(a, pair.refresh);
        expect(second.status).toBe(200);
        // Inside the window, B answers the late tab with A's successor…
        const late = await refresh(b, pair.refresh);
        expect(late.status).toBe(200);
        expect(late.body.refresh).toBe(second.body.refresh);
        // …but once that successor is spent, the old token exposes whoever still holds it.
        const third = await refresh(a, second.body.refresh as string);
        expect(third.status).toBe(200);
        expect((await refresh(b, pair.refresh)).status).toBe(401);
        expect((await refresh(a, third.body.refresh as string)).status).toBe(401);
      });
    },
  );
}
