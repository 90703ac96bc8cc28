import { expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/stores/errors.js';
import type { StoreName } from '../../src/stores/open.js';
import { describeBackends, perTest } from './backends.js';
import { session, T0 } from './fixtures.js';

describeBackends('Stores lifecycle', (backend) => {
  const b = perTest(backend);

  it('reports every backend healthy', async () => {
    const health = await b.stores.health();
    expect(Object.keys(health).length).toBeGreaterThan(0);
    expect(Object.values(health).every((s) => s === 'ok')).toBe(true);
  });
});

describeBackends(
  'Stores after close',
  (backend) => {
    const b = perTest(backend);

    it('fail with StoreUnavailable (the HTTP layer answers 503), and health says down', async () => {
      const user = await b.stores.users.create({ username: 'z', passwordHash: '', dateJoined: T0 });
      await b.stores.close();
      const calls: [StoreName, () => Promise<unknown>][] = [
        ['users', () => b.stores.users.findById(user.id)],
        ['sessions', () => b.stores.sessions.findByDigest(session().digest)],
        ['apiTokens', () => b.stores.apiTokens.findByDigest('a'.repeat(64))],
        ['jwtState', () => b.stores.jwtState.spend('j', T0)],
        ['rateLimits', () => b.stores.rateLimits.hit('k', 1000, T0)],
        ['audit', () => b.stores.audit.list({ limit: 1 })],
        ['mfa', () => b.stores.mfa.getTotp(user.id)],
      ];
      // Only the stores this backend holds: the others are memory stores beside it.
      const held = calls.filter(([name]) => backend.holds.has(name));
      expect(held.length).toBeGreaterThan(0);
      for (const [name, call] of held) {
        const err = (await call().catch((e: unknown) => e)) as StoreUnavailable;
        expect(err).toBeInstanceOf(StoreUnavailable);
        expect(err.store).toBe(name);
        expect(err.cause).toBeDefined();
      }
      expect(Object.values(await b.stores.health())).toContain('down');
    });
  },
  // Memory stores have nothing to close; every networked or file backend must fail closed.
  (backend) => backend.name !== 'memory',
);
