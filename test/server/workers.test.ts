/**
 * `gatehouse serve --workers N`: N processes on node:cluster share one port over one SQLite file
 * (WAL); a killed worker is replaced while the others keep serving; SIGTERM drains them all.
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, runCli, startServe, tempProject } from '../helpers/cli.js';

const ADMIN_PASSWORD = 'workers-admin-password-42';
const RELAXED = { login: '1000/min', loginUsername: '1000/min', refresh: '1000/min' };
const BASIC = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * One request on a connection of its own (no keep-alive agent): the cluster hands out
 * connections, not requests, so only fresh connections can land on every worker.
 */
function fresh(url: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent: false, headers, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** A JSON POST on a connection of its own. */
function freshPost(url: string, path: string, json: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' }, timeout: 30_000 },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 30 s`)));
    req.on('error', reject);
    req.end(JSON.stringify(json));
  });
}

/** The worker ids that answered `count` fresh /readyz requests; each answer must be 200. */
async function readyWorkers(url: string, count: number): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < count; i++) {
    const r = await fresh(url, '/readyz');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    seen.add(r.body.worker as number);
  }
  return seen;
}

/** The pid of each worker the primary announced as serving, by worker id (in the order they listened). */
const servingPids = (stderr: string): Map<number, number> =>
  new Map(
    [...stderr.matchAll(/worker (\d+) \(pid (\d+)\) serving/g)].map((m) => [Number(m[1]), Number(m[2])]),
  );

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('gatehouse serve --workers', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    const pids = server ? [...servingPids(server.stderr()).values()] : [];
    await server?.stop('SIGKILL');
    // A primary killed outright takes its workers' IPC channel with it; they exit on their own.
    for (const pid of pids) await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    server = undefined;
  });

  const start = (args: string[] = ['--workers', '2']) => {
    const cwd = tempProject();
    // Sign-ins far above the default rates: this test signs in many times a minute.
    writeFileSync(join(cwd, 'gatehouse.config.json'), JSON.stringify({ throttle: RELAXED }));
    return startServe({ cwd, args, env: { GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  };

  it('serves on one port from two workers over one SQLite file, and stops cleanly on SIGTERM', async () => {
    server = await start();
    const stderr = server.stderr();
    // Migrations and the first admin happened once, in the primary: one notice, one address.
    expect(stderr.match(/created the user "admin"/g)).toHaveLength(1);
    expect(stderr.match(/listening on/g)).toHaveLength(1);
    const pids = [...servingPids(stderr).values()];
    expect(pids).toHaveLength(2);
    // Round-robin over fresh connections: both workers answer, each over its own stores.
    await expect.poll(() => readyWorkers(server!.url, 4), { timeout: 20_000 }).toEqual(new Set([1, 2]));

    // What one worker writes to the file, the other reads: a token made on one works on every one.
    const made = await freshPost(server.url, '/api-token-auth/', {
      username: 'admin',
      password: ADMIN_PASSWORD,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    for (let i = 0; i < 6; i++) {
      const me = await fresh(server.url, '/api/me/', { authorization: `Token ${made.body.token as string}` });
      expect(me.status, JSON.stringify(me.body)).toBe(200);
      expect(me.body).toMatchObject({ username: 'admin', auth: 'token' });
    }

    // Both workers writing the file at once (spending refresh rows, recording successors and
    // audit events): WAL and the busy timeout let each wait its turn, so none gets a 503 for a
    // locked database. (Sign-ins of one account run one at a time by design: obtained in turn.)
    const pairs: Answer[] = [];
    for (let i = 0; i < 8; i++)
      pairs.push(await freshPost(server.url, '/api/token/', { username: 'admin', password: ADMIN_PASSWORD }));
    expect(pairs.map((p) => p.status)).toEqual(Array(8).fill(200));
    const refreshed = await Promise.all(
      pairs.map((p) => freshPost(server!.url, '/api/token/refresh/', { refresh: p.body.refresh })),
    );
    expect(
      refreshed.map((r) => r.status),
      JSON.stringify(refreshed.map((r) => r.body.code)),
    ).toEqual(Array(8).fill(200));

    const code = await server.stop('SIGTERM');
    expect(code, server.stderr()).toBe(0);
    expect(server.stderr()).toContain('SIGTERM received, stopping the workers');
    for (const pid of pids) expect(alive(pid)).toBe(false);
    server = undefined;
  }, 90_000);

  it('replaces a worker killed with SIGKILL while the other keeps serving', async () => {
    server = await start();
    const pids = servingPids(server.stderr());
    const [victim, survivor] = [pids.get(1), pids.get(2)] as [number, number];
    await expect.poll(() => readyWorkers(server!.url, 4), { timeout: 20_000 }).toEqual(new Set([1, 2]));

    process.kill(victim, 'SIGKILL');
    // Once the primary has seen the exit, no connection is handed to the dead worker.
    await expect
      .poll(() => server!.stderr(), { timeout: 10_000 })
      .toMatch(/was killed by SIGKILL; starting another in \d+ ms/);
    for (let i = 0; i < 5; i++) {
      const me = await fresh(server.url, '/api/me/', { authorization: BASIC });
      expect(me.status, JSON.stringify(me.body)).toBe(200);
    }
    await expect
      .poll(() => server!.stderr(), { timeout: 20_000 })
      .toMatch(/\(pid \d+\) serving in place of the one that exited/);
    const replacement = Number(/\(pid (\d+)\) serving in place/.exec(server.stderr())![1]);
    expect([victim, survivor]).not.toContain(replacement);
    expect(alive(survivor)).toBe(true);
    // The replacement (worker 3) takes its share of the connections beside the survivor.
    await expect.poll(() => readyWorkers(server!.url, 4), { timeout: 20_000 }).toEqual(new Set([2, 3]));

    expect(await server.stop('SIGTERM'), server.stderr()).toBe(0);
    for (const pid of [survivor, replacement]) expect(alive(pid)).toBe(false);
    server = undefined;
  }, 90_000);

  it('fails the whole start, exit 1, when the workers cannot listen', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = String((taken.address() as { port: number }).port);
    try {
      const r = await runCli(['serve', '--port', port, '--workers', '2'], {
        cwd: tempProject(),
        env: { GATEHOUSE_LOG_LEVEL: 'warn' },
      });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/EADDRINUSE/);
      expect(r.stderr).toMatch(/before it served; stopping/);
    } finally {
      taken.close();
    }
  }, 60_000);

  it.each([
    [['--workers', '0'], {}, '--workers: expected a whole number from 1 to 256, or auto'],
    [['--workers', 'abc'], {}, '--workers: expected a whole number from 1 to 256, or auto'],
    [['--workers', '257'], {}, '--workers: expected a whole number from 1 to 256, or auto'],
    [[], { GATEHOUSE_WORKERS: 'many' }, 'GATEHOUSE_WORKERS: expected a whole number, got "many"'],
    [[], { GATEHOUSE_WORKERS: '0' }, 'server.workers: expected a whole number from 1 to 256, or "auto"'],
    [
      ['--workers', '2'],
      { GATEHOUSE_DATABASE_URL: 'memory:' },
      'server.workers: several workers need stores they share',
    ],
  ])('refuses %j %j with exit 2 and says what it accepts', async (args, env, message) => {
    const r = await runCli(['serve', '--port', '0', ...args], { cwd: tempProject(), env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
