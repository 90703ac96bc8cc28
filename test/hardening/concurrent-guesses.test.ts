import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GatehouseConfigInput } from '../../src/core/config.js';
import { basicAuth } from '../helpers/gatehouse.js';
import { describeUnavailable } from '../helpers/required.js';
import { freshRedisPrefix } from '../multi/cluster.js';
import { type HardeningServer, PASSWORD, startHardeningServer } from './server.js';

// Guessing runs against the real server on loopback, with requests truly in flight together,
// on each rate-limit store: an attempt is counted before any hashing, and Basic is a login.

const OFF = { login: null, loginUsername: null, refresh: null, register: null, passwordChange: null };
const REDIS = process.env['GATEHOUSE_TEST_REDIS_URL'];

interface Backend {
  readonly name: string;
  /** Where the rate limits live, and how to clean up after. */
  open(): { config: Partial<GatehouseConfigInput>; drop(): Promise<void> };
}

const BACKENDS: Backend[] = [
  { name: 'memory', open: () => ({ config: { database: 'memory:' }, drop: async () => {} }) },
  { name: 'sqlite', open: () => ({ config: {}, drop: async () => {} }) },
  {
    name: 'redis',
    open: () => {
      const redis = freshRedisPrefix(REDIS as string);
      return { config: { redis: redis.url }, drop: redis.drop };
    },
  },
];

let running: { server: HardeningServer; drop(): Promise<void> } | null = null;

afterEach(async () => {
  vi.restoreAllMocks();
  if (running) await running.server.close().finally(running.drop);
  running = null;
});

/** The server with these throttle settings, and a count of every password check it makes. */
async function start(backend: Backend, throttle: GatehouseConfigInput['throttle']) {
  const { config, drop } = backend.open();
  const server = await startHardeningServer({ ...config, throttle: { ...OFF, ...throttle } });
  running = { server, drop };
  const verify = vi.spyOn(server.gh.ctx.passwords, 'verify');
  const dummy = vi.spyOn(server.gh.ctx.passwords, 'dummyVerify');
  return { server, checks: () => verify.mock.calls.length + dummy.mock.calls.length };
}

const obtain = (s: HardeningServer, username: string, password: string) =>
  fetch(`${s.origin}/api/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });

const basic = (s: HardeningServer, username: string, password: string) =>
  fetch(`${s.origin}/api/me/`, { headers: { authorization: basicAuth(username, password) } });

/** Sends every request at once and waits for all the statuses. */
const together = async (n: number, send: (i: number) => Promise<Response>): Promise<number[]> =>
  (await Promise.all(Array.from({ length: n }, (_, i) => send(i)))).map((r) => r.status).sort();

for (const backend of BACKENDS) {
  const suite = () => {
    // A long base, so no block can run out while a test is still sending.
    const BACKOFF = { backoffAfter: 5, backoffBase: '1h', backoffMax: '1h' } as const;

    it('10 wrong guesses at once: 5 are checked, the rest and then the right password get 429', async () => {
      const { server, checks } = await start(backend, BACKOFF);
      const statuses = await together(10, (i) => obtain(server, 'alice', `guess${i}`));
      expect(statuses).toEqual([...Array(5).fill(401), ...Array(5).fill(429)]);
      expect(checks()).toBe(5);
      expect((await obtain(server, 'alice', PASSWORD)).status).toBe(429);
      expect(checks()).toBe(5);
    });

    it('Basic backs off like a login, also for guesses sent at once', async () => {
      const { server, checks } = await start(backend, BACKOFF);
      const statuses = await together(10, (i) => basic(server, 'alice', `guess${i}`));
      expect(statuses).toEqual([...Array(5).fill(401), ...Array(5).fill(429)]);
      for (let i = 0; i < 30; i++) expect((await basic(server, 'alice', `more${i}`)).status).toBe(429);
      expect((await basic(server, 'alice', PASSWORD)).status).toBe(429);
      expect(checks()).toBe(5);
      // The block is the login routes' too: one throttle for every way in.
      expect((await obtain(server, 'alice', PASSWORD)).status).toBe(429);
    });

    it('Basic counts against the per-ip window: a spray over 45 usernames gets 30 checks', async () => {
      const { server, checks } = await start(backend, { login: '30/min', backoffAfter: 0 });
      const statuses = await together(45, (i) => basic(server, `user${i}`, 'Winter2026!'));
      expect(statuses).toEqual([...Array(30).fill(401), ...Array(15).fill(429)]);
      expect(checks()).toBe(30);
      // The login routes share the window.
      expect((await obtain(server, 'alice', PASSWORD)).status).toBe(429);
    });

    it('Basic counts against the per-(ip, username) window', async () => {
      const { server, checks } = await start(backend, { loginUsername: '3/min', backoffAfter: 0 });
      const statuses = await together(6, () => basic(server, 'alice', PASSWORD));
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
      expect(checks()).toBe(3);
      expect((await basic(server, 'bob', 'x')).status).toBe(401);
    });
  };
  const title = `concurrent guesses, Basic throttled (${backend.name} rate limits)`;
  if (backend.name === 'redis' && !REDIS)
    describeUnavailable(title, 'GATEHOUSE_TEST_REDIS_URL is not set', ['redis']);
  else describe(title, suite);
}
