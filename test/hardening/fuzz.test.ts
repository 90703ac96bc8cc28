import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../helpers/gatehouse.js';
import { createFuzzer, type FuzzCredentials } from './fuzz-requests.js';
import { type HardeningServer, PASSWORD, startHardeningServer } from './server.js';

/**
 * A bounded fuzz run against the real server: a fixed seed (FUZZ_SEED to try others), at most
 * FUZZ_REQUESTS requests and FUZZ_SECONDS seconds, over raw sockets so malformed bytes reach it.
 * It asserts no 5xx, a server still answering, and a heap that does not grow between two halves.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 8_2026);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 40);
const PARALLEL = 12;

/** `gc()` without --expose-gc: the flag can be set at run time and the function read from a new context. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Status codes of every response on one connection (pipelined garbage can get several). */
function statuses(data: Buffer): Array<{ status: number; app: boolean }> {
  const out: Array<{ status: number; app: boolean }> = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const head = data.subarray(at, end).toString('latin1');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!m) break;
    // Gatehouse and the server's routes send nosniff; node's and Fastify's parse refusals do not.
    out.push({ status: Number(m[1]), app: /\r\nx-content-type-options: *nosniff/i.test(head) });
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    at = end + 4 + (length ? Number(length[1]) : 0);
    if (!length && /\r\ntransfer-encoding: *chunked/i.test(head)) break;
  }
  return out;
}

function send(port: number, bytes: Buffer): Promise<Array<{ status: number; app: boolean }>> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => resolve(statuses(Buffer.concat(chunks)));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', done);
    socket.on('close', done);
    // A truncated body leaves the server waiting for bytes: the half-close ends it.
    socket.setTimeout(3000, () => socket.destroy());
    socket.end(bytes);
  });
}

describe('fuzz run against the server', () => {
  let s: HardeningServer;
  let creds: FuzzCredentials;

  beforeAll(async () => {
    s = await startHardeningServer({ server: { trustProxy: true } });
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${s.origin}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { res, json: (await res.json()) as Record<string, string> };
    };
    const login = { username: 'alice', password: PASSWORD };
    const pair = (await post('/api/token/', login)).json;
    const key = (await post('/api-token-auth/', login)).json.token!;
    const csrfRes = await fetch(`${s.origin}/api/auth/csrf/`);
    const csrf = ((await csrfRes.json()) as { csrfToken: string }).csrfToken;
    const csrfCookie = csrfRes.headers.getSetCookie()[0]!.split(';', 1)[0]!;
    const session = await post('/api/auth/login/', login, {
      cookie: csrfCookie,
      'x-csrftoken': csrf,
      origin: s.origin,
    });
    expect(session.res.status).toBe(200);
    const sessionCookie = session.res.headers
      .getSetCookie()
      .find((c) => c.startsWith('sessionid='))!
      .split(';', 1)[0]!
      .slice('sessionid='.length);
    creds = {
      basic: basicAuth('alice', PASSWORD),
      apiKey: key,
      access: pair.access!,
      refresh: pair.refresh!,
      sessionCookie,
      csrf,
    };
  });

  afterAll(async () => {
    await s?.close();
  });

  it(
    `${REQUESTS} hostile requests (seed ${SEED}): no 5xx, no crash, flat memory`,
    async () => {
      const gc = collector();
      const next = createFuzzer(SEED, creds);
      const deadline = Date.now() + SECONDS * 1000;
      const counts = new Map<number, number>();
      const failures: string[] = [];
      let sent = 0;
      let unanswered = 0;
      let reachedApp = 0;

      const run = async (until: number): Promise<void> => {
        const worker = async () => {
          while (sent < until && Date.now() < deadline) {
            sent++;
            const req = next();
            const got = await send(s.port, req.bytes);
            if (!got.length) unanswered++;
            for (const { status, app } of got) {
              counts.set(status, (counts.get(status) ?? 0) + 1);
              if (app) reachedApp++;
              if (status >= 500 && failures.length < 10) {
                failures.push(`${status} for ${req.label}: ${req.bytes.subarray(0, 300).toString('latin1')}`);
              }
            }
          }
        };
        await Promise.all(Array.from({ length: PARALLEL }, worker));
      };

      const heap = (): number => {
        gc();
        gc();
        return process.memoryUsage().heapUsed;
      };
      // Warm up (JIT, prepared statements, caches), then compare the heap across two halves.
      await run(Math.floor(REQUESTS / 5));
      const before = heap();
      const rssBefore = process.memoryUsage().rss;
      await run(Math.floor((REQUESTS * 3) / 5));
      const middle = heap();
      await run(REQUESTS);
      const after = heap();
      const rssAfter = process.memoryUsage().rss;

      const summary = [...counts]
        .sort(([a], [b]) => a - b)
        .map(([k, v]) => `${k}:${v}`)
        .join(' ');
      console.log(
        `fuzz: seed ${SEED}, ${sent} requests, statuses ${summary}, ${reachedApp} answered by the app, ${unanswered} closed without an answer; ` +
          `heap ${(before / 2 ** 20).toFixed(1)} -> ${(middle / 2 ** 20).toFixed(1)} -> ${(after / 2 ** 20).toFixed(1)} MiB, ` +
          `rss ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB`,
      );
      expect(failures).toEqual([]);
      expect(sent).toBeGreaterThanOrEqual(Math.min(REQUESTS, 1000));
      // Most requests get an answer (431s and parse errors too): the server is not just hanging up.
      expect(unanswered).toBeLessThan(sent / 4);
      // And most get past node's parser into the app, so the run tests gatehouse, not llhttp.
      expect(reachedApp).toBeGreaterThan(sent / 2);
      // Flat: the second half leaves no more behind than the first (a leak grows with requests).
      expect(after - middle).toBeLessThan(Math.max(8 * 2 ** 20, (middle - before) * 2 + 4 * 2 ** 20));
      expect(after - before).toBeLessThan(24 * 2 ** 20);
      expect(rssAfter - rssBefore).toBeLessThan(200 * 2 ** 20);

      // Alive, and still the same server: the stores answer, credentials work.
      expect((await fetch(`${s.origin}/readyz`)).status).toBe(200);
      const me = await fetch(`${s.origin}/api/me/`, { headers: { authorization: creds.basic } });
      expect([200, 429]).toContain(me.status);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
    (SECONDS + 20) * 1000,
  );
});
