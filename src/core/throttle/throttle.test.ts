import { describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../../test/helpers/gatehouse.js';
import { type GatehouseConfigInput, resolveConfig } from '../config.js';
import { Throttled } from '../errors.js';
import { createAuthRequest } from '../request.js';
import { parseRate } from '../settings/throttle.js';
import { ipKey } from './throttle.js';

const from = (ip: string) => createAuthRequest({ method: 'POST', url: '/api/token/', headers: {}, ip });

async function refusal(p: Promise<unknown>): Promise<Throttled> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Throttled);
  return err as Throttled;
}

describe('parseRate (DRF syntax)', () => {
  it.each([
    ['5/min', 5, 60_000],
    ['5/m', 5, 60_000],
    ['100/hour', 100, 3_600_000],
    ['1/s', 1, 1000],
    ['3/sec', 3, 1000],
    ['1000/day', 1000, 86_400_000],
    ['2/d', 2, 86_400_000],
    [' 7 / h ', 7, 3_600_000],
  ])('%j', (text, limit, windowMs) => {
    expect(parseRate(text)).toMatchObject({ limit, windowMs });
  });

  it.each(['5', '5/fortnight', '0/min', '-1/min', 'x/min', '5/min/2', ''])('refuses %j', (text) => {
    expect(() => parseRate(text)).toThrow(/expected a rate like "5\/min"/);
  });

  it('config: parsed once, null turns one off, a wrong one names its key', () => {
    const config = (throttle: GatehouseConfigInput['throttle']) =>
      resolveConfig({ secretKey: 's'.repeat(32), throttle });
    expect(config({}).throttle).toMatchObject({
      login: { limit: 30, windowMs: 60_000 },
      loginUsername: { limit: 10, windowMs: 60_000 },
      refresh: { limit: 120, windowMs: 60_000 },
      register: { limit: 10, windowMs: 3_600_000 },
      passwordChange: { limit: 10, windowMs: 3_600_000 },
      backoffAfter: 5,
      backoffBase: 1,
      backoffMax: 900,
    });
    expect(config({ register: null }).throttle.register).toBeNull();
    expect(() => config({ login: '5 per minute' })).toThrow('throttle.login: expected a rate like');
    expect(() => config({ backoffBase: '1h', backoffMax: '1m' })).toThrow(
      'throttle.backoffBase: must not exceed backoffMax (60s)',
    );
    expect(() => config({ logn: '5/min' } as never)).toThrow('throttle: unknown key "logn"');
  });
});

describe('ipKey', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002::ffff', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['', 'unknown'],
    ['not-an-ip', 'not-an-ip'],
    ['1:2:3', '1:2:3'],
  ])('%j -> %j', (ip, key) => {
    expect(ipKey(ip)).toBe(key);
  });

  it('one host stepping through its /64 is one client', () => {
    const keys = new Set(Array.from({ length: 50 }, (_, i) => ipKey(`2001:db8:5:6::${i.toString(16)}`)));
    expect(keys.size).toBe(1);
  });
});

describe('services.throttle', () => {
  const setup = (throttle: GatehouseConfigInput['throttle']) => makeGatehouse({ throttle });

  it('counts a fixed window per ip, and lets through again when it ends', async () => {
    const t = await setup({ login: '3/min', loginUsername: null });
    const th = t.gh.services.throttle;
    for (let i = 0; i < 3; i++) await th.attempt(from('198.51.100.1'), 'login', `user${i}`);
    const err = await refusal(th.attempt(from('198.51.100.1'), 'login', 'user9'));
    expect(err.status).toBe(429);
    expect(err.headers['retry-after']).toBe('60');
    // Another address has its own window.
    await th.attempt(from('198.51.100.2'), 'login', 'user0');
    t.clock.advance('30s');
    expect((await refusal(th.attempt(from('198.51.100.1'), 'login', 'x'))).wait).toBe(30);
    t.clock.advance('30s');
    await th.attempt(from('198.51.100.1'), 'login', 'user0');
  });

  it('counts a window per (ip, username)', async () => {
    const t = await setup({ login: null, loginUsername: '2/min' });
    const th = t.gh.services.throttle;
    await th.attempt(from('198.51.100.1'), 'login', 'alice');
    await th.attempt(from('198.51.100.1'), 'login', 'alice');
    await refusal(th.attempt(from('198.51.100.1'), 'login', 'alice'));
    await th.attempt(from('198.51.100.1'), 'login', 'bob');
    await th.attempt(from('198.51.100.7'), 'login', 'alice');
  });

  it('backs off exponentially after consecutive failures, capped, and a success resets it', async () => {
    const t = await setup({
      login: null,
      loginUsername: null,
      backoffAfter: 3,
      backoffBase: '2s',
      backoffMax: '1m',
    });
    const th = t.gh.services.throttle;
    const ip = from('198.51.100.1');
    // The wait a client is told before each of 10 consecutive wrong guesses (0: let through at once).
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      const err = await th.attempt(ip, 'login', 'alice').then(
        async (gate) => {
          await gate.fail();
          return null;
        },
        (e: Throttled) => e,
      );
      waits.push(err ? err.wait : 0);
      if (err) {
        t.clock.advance(err.wait * 1000);
        await (await th.attempt(ip, 'login', 'alice')).fail();
      }
    }
    expect(waits).toEqual([0, 0, 0, 2, 4, 8, 16, 32, 60, 60]);
    t.clock.advance('1m');
    await (await th.attempt(ip, 'login', 'alice')).pass();
    // A success starts the count over: two more failures cost nothing.
    for (let i = 0; i < 2; i++) await (await th.attempt(ip, 'login', 'alice')).fail();
    await th.attempt(ip, 'login', 'alice');
  });

  it('counts an attempt before it is checked: of guesses in flight at once, only the allowance gets through', async () => {
    const t = await setup({ login: null, loginUsername: null, backoffAfter: 5, backoffBase: '1s' });
    const th = t.gh.services.throttle;
    const ip = from('198.51.100.1');
    // Ten attempts, none reported yet: the first four are free, the fifth takes the block window.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => th.attempt(ip, 'login', 'alice')),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      ...Array(5).fill('fulfilled'),
      ...Array(5).fill('rejected'),
    ]);
    for (const o of outcomes.slice(5)) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(Throttled);
    // Even with no failure reported, the block stands: the right password waits too.
    await refusal(th.attempt(ip, 'login', 'alice'));
    // If one in flight was the right password (here the first), its pass lifts the block.
    await (outcomes[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof th.attempt>>>).value.pass();
    await th.attempt(ip, 'login', 'alice');
  });

  it('backoffAfter 0 turns back-off off; a null rate counts nothing', async () => {
    const t = await setup({ login: null, loginUsername: null, backoffAfter: 0 });
    const th = t.gh.services.throttle;
    for (let i = 0; i < 50; i++) await (await th.attempt(from('198.51.100.1'), 'login', 'alice')).fail();
    expect(await t.stores.rateLimits.peek(`throttle:login:198.51.100.1`, t.clock.now())).toBeNull();
  });
});
