/**
 * Redis behind sentinels, and Redis Cluster, failing over while two instances serve traffic: the
 * master holding the refresh state crashes (SIGKILL, no persistence), and while its replica takes
 * over the requests that need it get 503 (never a 500, never a 200 that should have been a
 * refusal); then service resumes without restarting gatehouse. Nothing is spent twice and nothing
 * revoked comes back: every spend and revocation waited for the replica (`wait`), so the promoted
 * replica has it.
 *
 * The Redis servers are this file's own (scripts/services.sh with a private directory and ports),
 * so crashing them disturbs no other test running at the same time.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../helpers/cli.js';
import {
  Browser,
  call,
  describeIf,
  freshDatabase,
  PASSWORD,
  RELAXED_THROTTLE,
  type Reply,
  sharedEnv,
  startInstances,
} from './cluster.js';

const run = promisify(execFile);
const SERVICES = resolve(import.meta.dirname, '../../scripts/services.sh');
const PG = process.env['GATEHOUSE_TEST_POSTGRES_URL'];

interface Topology {
  name: 'sentinel' | 'cluster';
  /** The store-suite backend name that GATEHOUSE_REQUIRE_BACKENDS uses for it. */
  backend: string;
  /** The services.sh variable holding the first of its `ports` consecutive ports. */
  portVar: string;
  ports: number;
  /** Cluster nodes also listen on their port + 10000 (the cluster bus). */
  bus: boolean;
  /** What the URL services.sh prints gets: a cluster's spends wait for the replica too. */
  query: string;
}

const TOPOLOGIES: readonly Topology[] = [
  {
    name: 'sentinel',
    backend: 'redis-sentinel',
    portVar: 'GATEHOUSE_REDIS_SENTINEL_PORT',
    ports: 5,
    bus: false,
    query: '',
  },
  {
    name: 'cluster',
    backend: 'redis-cluster',
    portVar: 'GATEHOUSE_REDIS_CLUSTER_PORT',
    ports: 6,
    bus: true,
    query: '?wait=1',
  },
];

function whyNot(): string | null {
  if (!PG) return 'GATEHOUSE_TEST_POSTGRES_URL is not set (scripts/services.sh start)';
  const path = (process.env.PATH ?? '').split(':');
  if (!path.some((dir) => existsSync(join(dir, 'redis-server'))))
    return 'redis-server is not installed (apt-get install redis-server)';
  return null;
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((done) => {
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * The first of `count` consecutive free ports (and their bus ports, 10000 above, when `bus`). All
 * below 32768, where Linux starts handing out ephemeral ports, so no outgoing connection takes one
 * between this check and the server's start.
 */
async function freeRange(count: number, bus: boolean): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = randomInt(20_000, 22_700 - count);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const all = bus ? [...ports, ...ports.map((p) => p + 10_000)] : ports;
    if ((await Promise.all(all.map(isFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range');
}

/** Polls `check` until it holds. */
async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether the Redis server on `port` answers a PING within `ms`. */
function answers(port: number, ms: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    const finish = (answered: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      done(answered);
    };
    const timer = setTimeout(() => finish(false), ms);
    socket.once('error', () => finish(false));
    socket.once('data', () => finish(true));
    socket.write('PING\r\n');
  });
}

for (const topology of TOPOLOGIES) {
  describeIf(whyNot(), [topology.backend], `two instances while Redis (${topology.name}) fails over`, () => {
    let a: RunningServer;
    let b: RunningServer;
    let dir: string;
    let base: number;
    let servicesEnv: Record<string, string>;
    const cleanup: (() => Promise<unknown>)[] = [];
    const services = (command: string) => run(SERVICES, [command], { env: servicesEnv });
    const cli = async (port: number, ...args: string[]): Promise<string> =>
      (await run('redis-cli', ['-p', String(port), ...args])).stdout;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `gatehouse-${topology.name}-`));
      base = await freeRange(topology.ports, topology.bus);
      servicesEnv = {
        PATH: process.env.PATH ?? '',
        GATEHOUSE_SERVICES_DIR: dir,
        [topology.portVar]: String(base),
      };
      cleanup.push(async () => {
        await services(`stop-${topology.name}`).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      });
      const { stdout } = await services(`start-${topology.name}`);
      const url = /=(redis\+\S+)/.exec(stdout)?.[1];
      if (!url) throw new Error(`services.sh start-${topology.name} printed no URL: ${stdout}`);
      const db = await freshDatabase(PG as string);
      cleanup.unshift(db.drop);
      const env = { ...sharedEnv(db.url, `${url}${topology.query}`), GATEHOUSE_LOG_LEVEL: 'error' };
      const throttle = { ...RELAXED_THROTTLE, refresh: '100000/min' };
      [a, b] = (await startInstances(env, { config: { throttle } })) as [RunningServer, RunningServer];
      cleanup.unshift(() => Promise.all([a.stop(), b.stop()]));
      const r = await call(a, 'POST', '/api/auth/register/', {
        json: { username: 'una', password: PASSWORD },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }, 120_000);

    afterAll(async () => {
      for (const step of cleanup) await step();
    }, 60_000);

    /** The port of the master that holds the refresh state (its keys' hash tag is `{jwt}`). */
    const jwtMaster = async (): Promise<number> => {
      if (topology.name === 'sentinel') {
        for (let port = base + 2; port <= base + 4; port++) {
          const reply = await cli(port, 'sentinel', 'get-master-addr-by-name', 'gatehouse').catch(() => '');
          const master = Number(reply.trim().split('\n')[1]);
          if (master) return master;
        }
        throw new Error('no sentinel names a master');
      }
      for (let port = base; port < base + topology.ports; port++) {
        try {
          const slot = Number(await cli(port, 'cluster', 'keyslot', '{jwt}'));
          for (const line of (await cli(port, 'cluster', 'nodes')).trim().split('\n')) {
            const [, address = '', flags = '', , , , , state, ...ranges] = line.split(' ');
            if (!flags.includes('master') || flags.includes('fail') || state !== 'connected') continue;
            const owns = ranges.some((range) => {
              const [from, to = from] = range.split('-').map(Number) as [number, number?];
              return slot >= from && slot <= (to as number);
            });
            if (owns) return Number(address.split('@')[0]?.split(':')[1]);
          }
        } catch {
          // This node is the one down, or not answering yet: ask the next.
        }
      }
      throw new Error('no node owns the {jwt} slot');
    };

    /** A crash: SIGKILL, so nothing is flushed or handed over. */
    const crash = (port: number): void => {
      const pid = Number(readFileSync(join(dir, `redis-node-${port}.pid`), 'utf8'));
      process.kill(pid, 'SIGKILL');
    };

    const obtain = async (): Promise<string> => {
      const r = await call(a, 'POST', '/api/token/', { json: { username: 'una', password: PASSWORD } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.refresh as string;
    };
    const refresh = (server: RunningServer, token: string) =>
      call(server, 'POST', '/api/token/refresh/', { json: { refresh: token } });

    if (topology.name === 'sentinel') {
      it('refuses (503) a spend or a logout its replica has not confirmed, and loses neither', async () => {
        const token = await obtain();
        const browser = new Browser();
        expect(await browser.login(a, 'una', PASSWORD)).toMatchObject({ status: 200 });
        const master = await jwtMaster();
        const replica = master === base ? base + 1 : base;
        // The replica stalls for 8 s: no acknowledgement within the 1 s a write waits for it.
        const stalled = cli(replica, 'debug', 'sleep', '8');
        try {
          // Sleeping once it leaves a PING unanswered (robust to a slow start of redis-cli).
          await until(async () => !(await answers(replica, 300)), 10_000, 'the replica stalling');
          const spent = await refresh(a, token);
          expect(spent.status, JSON.stringify(spent.body)).toBe(503);
          expect(spent.body.code).toBe('service_unavailable');
          const logout = await browser.clone().call(b, 'POST', '/api/auth/logout/');
          expect(logout.status, JSON.stringify(logout.body)).toBe(503);
        } finally {
          await stalled;
        }
        // Both ran on the master, only unconfirmed: once the replica is back, the retry of the
        // refresh gets that spend's successor (the grace window), and the session stays ended.
        const retried = await refresh(b, token);
        expect(retried.status, JSON.stringify(retried.body)).toBe(200);
        expect((await refresh(a, retried.body.refresh as string)).status).toBe(200);
        expect((await browser.call(a, 'GET', '/api/me/')).status).not.toBe(200);
      }, 60_000);
    }

    if (topology.name === 'cluster') {
      it('/readyz asks the masters holding its keys, not any node: one that stops answering is "down"', async () => {
        const master = await jwtMaster();
        // Paused clients, not the cluster bus: the cluster sees a healthy master, no failover.
        await cli(master, 'client', 'pause', '10000', 'ALL');
        try {
          for (const server of [a, b]) {
            const ready = await call(server, 'GET', '/readyz');
            expect(ready.status, JSON.stringify(ready.body)).toBe(503);
            expect(ready.body.stores).toEqual({ postgres: 'ok', redis: 'down' });
          }
        } finally {
          await cli(master, 'client', 'unpause');
        }
        for (const server of [a, b]) {
          await until(
            async () => (await call(server, 'GET', '/readyz')).status === 200,
            30_000,
            'ready again',
          );
        }
      }, 60_000);
    }

    it('503s while the master is gone, nothing refused is accepted, and service resumes by itself', async () => {
      const browser = new Browser();
      expect(await browser.login(a, 'una', PASSWORD)).toMatchObject({ status: 200 });
      // A session that was logged out, and a refresh token that was blacklisted, before the crash.
      const loggedOut = new Browser();
      expect(await loggedOut.login(b, 'una', PASSWORD)).toMatchObject({ status: 200 });
      const stolenCookie = loggedOut.clone();
      expect((await loggedOut.call(a, 'POST', '/api/auth/logout/')).status).toBe(204);
      const blacklisted = await obtain();
      expect(
        (await call(b, 'POST', '/api/token/blacklist/', { json: { refresh: blacklisted } })).status,
      ).toBe(200);

      const replies: { what: string; reply: Reply }[] = [];
      const chain: string[] = [await obtain()];
      /** Every successor handed out for each token: a spend that happened twice shows as two. */
      const successors = new Map<string, Set<string>>();
      let stopped = false;
      let unexpected: string | null = null;

      const refreshLoop = async () => {
        for (let i = 0; !stopped && unexpected === null; i++) {
          const current = chain.at(-1) as string;
          const reply = await refresh(i % 2 ? a : b, current);
          replies.push({ what: 'refresh', reply });
          if (reply.status === 200) {
            const next = reply.body.refresh as string;
            successors.set(current, (successors.get(current) ?? new Set()).add(next));
            chain.push(next);
          } else if (reply.status !== 503) {
            unexpected = `refresh answered ${reply.status} ${JSON.stringify(reply.body)}`;
          }
          await sleep(20);
        }
      };
      const probe =
        (what: string, send: (server: RunningServer) => Promise<Reply>, allowed: number[]) => async () => {
          for (let i = 0; !stopped && unexpected === null; i++) {
            const reply = await send(i % 2 ? a : b);
            replies.push({ what, reply });
            if (!allowed.includes(reply.status))
              unexpected = `${what} answered ${reply.status} ${JSON.stringify(reply.body)}`;
            await sleep(20);
          }
        };
      const loops = Promise.all([
        refreshLoop(),
        probe('session', (s) => browser.call(s, 'GET', '/api/me/'), [200, 503])(),
        // The logged-out session is refused as one without credentials (403 with session first
        // among the schemes that saw a cookie); never 200.
        probe('logged-out session', (s) => stolenCookie.call(s, 'GET', '/api/me/'), [401, 403, 503])(),
        probe('blacklisted refresh', (s) => refresh(s, blacklisted), [401, 503])(),
      ]);
      const count = (what: string, status: number, from = 0) =>
        replies.slice(from).filter((r) => r.what === what && r.reply.status === status).length;
      try {
        await until(
          () => count('refresh', 200) >= 3 && unexpected === null,
          30_000,
          'traffic before the crash',
        );
        const crashed = await jwtMaster();
        crash(crashed);
        await until(
          () => replies.some((r) => r.reply.status === 503) || unexpected !== null,
          30_000,
          'a 503',
        );
        const outage = replies.findIndex((r) => r.reply.status === 503);
        // The replica takes over. Then the crashed server comes back, as a supervisor would bring
        // it, and joins as the new master's replica: a write waits for one (wait=1), so until
        // then spends and revocations keep getting 503.
        await until(async () => (await jwtMaster().catch(() => crashed)) !== crashed, 30_000, 'the failover');
        await services(`start-${topology.name}`);
        // Recovery, by itself: refreshes and the session work again on both instances.
        await until(
          () =>
            unexpected !== null || (count('refresh', 200, outage) >= 4 && count('session', 200, outage) >= 4),
          60_000,
          'service after the failover',
        );
      } finally {
        stopped = true;
        await loops;
      }
      // On failure, the instances' error logs say what went wrong.
      expect(unexpected, `${a.stdout().slice(-2000)}\n${b.stdout().slice(-2000)}`).toBeNull();
      expect(replies.some((r) => r.reply.status === 503)).toBe(true);
      for (const r of replies.filter((x) => x.reply.status === 503)) {
        expect(r.reply.body.code).toBe('service_unavailable');
      }
      // Each token was spent once: one successor each, whatever instance or retry asked.
      for (const [token, next] of successors) expect(next.size, `successors of ${token.slice(-12)}`).toBe(1);
      // The promoted replica knows every spend: a token spent before the crash is reuse now, which
      // ends its family (the current token with it).
      const current = chain.at(-1) as string;
      expect((await refresh(a, chain[0] as string)).status).toBe(401);
      expect((await refresh(b, current)).status).toBe(401);
      expect((await stolenCookie.call(a, 'GET', '/api/me/')).status).not.toBe(200);
      expect((await refresh(b, blacklisted)).status).toBe(401);
      expect((await browser.call(b, 'GET', '/api/me/')).status).toBe(200);
      expect(a.child.exitCode).toBeNull();
      expect(b.child.exitCode).toBeNull();
    }, 150_000);
  });
}
