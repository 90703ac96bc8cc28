/** What only the Redis backend does: TTLs, key prefixes, bounded indexes, reloading scripts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open.js';
import { KEEP_EXPIRED_MS } from '../../src/stores/redis/ttl.js';
import { parseStoreUrl } from '../../src/stores/url.js';
import { describeBackends, perTest } from './backends.js';
import { DAY, MINUTE, refresh, session, T0 } from './fixtures.js';

describeBackends(
  'Redis specifics',
  (backend) => {
    const b = perTest(backend);
    let raw: Redis;
    let prefix: string;
    beforeEach(async () => {
      const parsed = parseStoreUrl(b.current.url as string);
      if (parsed.kind !== 'redis') throw new Error('not a redis URL');
      prefix = parsed.prefix;
      raw = new Redis(parsed.url, { lazyConnect: true });
      await raw.connect();
    });
    afterEach(() => raw.disconnect());

    const keys = async (): Promise<string[]> => (await raw.keys(`${prefix}*`)).sort();
    // Sessions and refresh state each share a hash tag (one cluster slot); rate limits have none.
    const sess = (key: string): string => `${prefix}{sessions}:${key}`;
    const jwt = (key: string): string => `${prefix}{jwt}:${key}`;
    const pttl = (key: string): Promise<number> => raw.pttl(key);

    it('keeps every key under the prefix, each record with a TTL of its remaining lifetime', async () => {
      const s = session({ createdAt: T0, expiresAt: T0 + DAY });
      const t = refresh({ issuedAt: T0, expiresAt: T0 + DAY });
      await b.stores.sessions.create(s);
      await b.stores.jwtState.recordOutstanding(t);
      await b.stores.jwtState.blacklist('bl', T0 + 2 * DAY, T0);
      await b.stores.rateLimits.hit('login:ip', MINUTE, T0);
      const near = (ms: number, expected: number): void => {
        expect(ms).toBeLessThanOrEqual(expected);
        expect(ms).toBeGreaterThan(expected - 10_000);
      };
      near(await pttl(sess(`session:${s.digest}`)), DAY);
      near(await pttl(sess(`session-id:${s.id}`)), DAY);
      near(await pttl(sess(`user-sessions:${s.userId}`)), DAY);
      near(await pttl(jwt(`refresh:${t.jti}`)), DAY);
      near(await pttl(jwt(`family:${t.familyId}`)), DAY);
      near(await pttl(jwt(`user-families:${t.userId}`)), DAY);
      near(await pttl(jwt('blacklist:bl')), 2 * DAY);
      near(await pttl(`${prefix}rate:login:ip`), MINUTE);
      // Only the expiry indexes live without a TTL; writes keep them small (next test).
      const untimed: string[] = [];
      for (const k of await keys()) if ((await raw.pttl(k)) === -1) untimed.push(k.slice(prefix.length));
      expect(untimed.sort()).toEqual([
        '{jwt}:blacklist-expiry',
        '{jwt}:refresh-expiry',
        '{sessions}:session-expiry',
      ]);
    });

    it('keeps a record written already expired for a moment only', async () => {
      const s = session({ createdAt: T0, expiresAt: T0 - 1 });
      await b.stores.sessions.create(s);
      expect(await pttl(sess(`session:${s.digest}`))).toBeLessThanOrEqual(KEEP_EXPIRED_MS);
      expect(await b.stores.sessions.findByDigest(s.digest)).toEqual(s);
    });

    it('sweeps long-expired index entries as new records are written, without flush-expired', async () => {
      for (let i = 0; i < 5; i++) {
        await b.stores.sessions.create(session({ createdAt: T0, expiresAt: T0 + 1 }));
        await b.stores.jwtState.recordOutstanding(refresh({ issuedAt: T0, expiresAt: T0 + 1 }));
      }
      expect(await raw.zcard(sess('session-expiry'))).toBe(5);
      const later = T0 + KEEP_EXPIRED_MS + 2;
      await b.stores.sessions.create(session({ createdAt: later, expiresAt: later + DAY }));
      await b.stores.jwtState.recordOutstanding(refresh({ issuedAt: later, expiresAt: later + DAY }));
      expect(await raw.zcard(sess('session-expiry'))).toBe(4);
      expect(await raw.zcard(jwt('refresh-expiry'))).toBe(4);
    });

    it('loads its scripts again when Redis has forgotten them (a restart, SCRIPT FLUSH)', async () => {
      const t = refresh();
      await b.stores.jwtState.recordOutstanding(t);
      await raw.script('FLUSH');
      expect((await b.stores.jwtState.spend(t.jti, T0)).status).toBe('spent');
      expect((await b.stores.rateLimits.hit('k', MINUTE, T0)).count).toBe(1);
    });

    it('holds one store placed there by name, beside a SQL database holding the rest', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mixed-'));
      const mixed = await openStores({
        database: `sqlite:${join(dir, 'g.db')}`,
        stores: { sessions: b.current.url as string },
      });
      try {
        expect(await mixed.health()).toEqual({ sqlite: 'ok', redis: 'ok' });
        const s = session();
        await mixed.sessions.create(s);
        expect(await raw.exists(sess(`session:${s.digest}`))).toBe(1);
        await mixed.jwtState.recordOutstanding(refresh());
        expect(await raw.exists(jwt('refresh-expiry'))).toBe(0);
      } finally {
        await mixed.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('keeps deployments with different prefixes apart on one Redis', async () => {
      const url = new URL(b.current.url as string);
      url.searchParams.set('prefix', `${prefix}other:`);
      const other = await openStores({ database: 'memory:', redis: url.toString() });
      try {
        const s = session();
        await b.stores.sessions.create(s);
        expect(await other.sessions.findByDigest(s.digest)).toBeNull();
        await other.rateLimits.hit('k', MINUTE, T0);
        expect(await b.stores.rateLimits.peek('k', T0)).toBeNull();
      } finally {
        await other.close();
      }
    });
  },
  (backend) => backend.name === 'redis',
);
