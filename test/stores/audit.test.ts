import { expect, it } from 'vitest';
import type { AuditEvent } from '../../src/stores/types.js';
import { describeBackends, holding, perTest } from './backends.js';
import { T0 } from './fixtures.js';

const event = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  at: T0,
  event: 'login',
  userId: 1,
  username: 'alice',
  ip: '203.0.113.7',
  userAgent: 'test-agent/1.0',
  scheme: 'session',
  detail: {},
  ...overrides,
});

describeBackends(
  'AuditStore',
  (backend) => {
    const b = perTest(backend);

    it('appends events and lists them newest first, detail and nulls intact', async () => {
      const first = event({ at: T0, detail: { reason: 'ok', n: 1 } });
      const anonymous = event({
        at: T0 + 1,
        event: 'login_failed',
        userId: null,
        username: null,
        scheme: null,
      });
      await b.stores.audit.append(first);
      await b.stores.audit.append(anonymous);
      expect(await b.stores.audit.list({ limit: 10 })).toEqual([anonymous, first]);
    });

    it('deletes events at or before a cutoff in bounded batches, and nothing newer', async () => {
      const audit = b.stores.audit;
      for (let i = 0; i < 5; i++) await audit.append(event({ at: T0 + i, event: `e${i}` }));
      expect(await audit.deleteBefore!(T0 + 2, 2)).toBe(2);
      expect(await audit.deleteBefore!(T0 + 2, 2)).toBe(1);
      expect(await audit.deleteBefore!(T0 + 2, 2)).toBe(0);
      expect((await audit.list({ limit: 10 })).map((e) => e.event)).toEqual(['e4', 'e3']);
    });

    it('keeps insertion order among events of the same instant (newest first)', async () => {
      for (const name of ['a', 'b', 'c']) await b.stores.audit.append(event({ event: name }));
      expect((await b.stores.audit.list({ limit: 10 })).map((e) => e.event)).toEqual(['c', 'b', 'a']);
    });

    it('filters by user and by time, and honours the limit', async () => {
      for (let i = 0; i < 5; i++)
        await b.stores.audit.append(event({ at: T0 + i, userId: i % 2 === 0 ? 1 : 2 }));
      expect((await b.stores.audit.list({ userId: 1, limit: 10 })).map((e) => e.at)).toEqual([
        T0 + 4,
        T0 + 2,
        T0,
      ]);
      expect((await b.stores.audit.list({ since: T0 + 3, limit: 10 })).map((e) => e.at)).toEqual([
        T0 + 4,
        T0 + 3,
      ]);
      expect((await b.stores.audit.list({ userId: 2, since: T0 + 2, limit: 10 })).map((e) => e.at)).toEqual([
        T0 + 3,
      ]);
      expect((await b.stores.audit.list({ limit: 2 })).map((e) => e.at)).toEqual([T0 + 4, T0 + 3]);
    });
  },
  holding('audit'),
);
