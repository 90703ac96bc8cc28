import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_COOKIES } from '../../src/core/cookies.js';
import { basicAuth, makeGatehouse } from '../helpers/gatehouse.js';
import { PASSWORD, sessionGatehouse } from '../helpers/session.js';
import { type HardeningServer, startHardeningServer, THROTTLE_OFF } from './server.js';

/** Sends raw bytes and resolves with the status line the server answers (or '' if it just closes). */
function raw(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => {
      out += d.toString('latin1');
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(out.split('\r\n', 1)[0]!) : reject(err),
    );
    socket.on('close', () => resolve(out.split('\r\n', 1)[0]!));
    socket.setTimeout(5000, () => socket.destroy());
    socket.end(request);
  });
}

describe('limits on the real server', () => {
  let s: HardeningServer;
  beforeAll(async () => {
    s = await startHardeningServer({ throttle: THROTTLE_OFF });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a header block over server.maxHeaderSize gets 431, and the server goes on', async () => {
    const big = `GET /api/me/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect(await raw(s.port, big)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const huge = `GET /api/me/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${'A'.repeat(1_400_000)}\r\n\r\n`;
    expect(await raw(s.port, huge)).toMatch(/^(HTTP\/1\.1 431 .*)?$/);
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
  });

  it('a body over server.bodyLimit gets 413 in DRF’s shape, whatever it claims', async () => {
    const body = JSON.stringify({ username: 'alice', password: 'x'.repeat(70_000) });
    const res = await fetch(`${s.origin}/api/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      detail: 'Request body is larger than the limit of 65536 bytes.',
      code: 'payload_too_large',
    });
    // A Content-Length over the limit is refused without waiting for the bytes.
    const lying = `POST /api/token/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{}`;
    expect(await raw(s.port, lying)).toBe('HTTP/1.1 413 Payload Too Large');
  });
});

describe('field limits', () => {
  it('a 1 MB password is never hashed, by any endpoint that takes one', async () => {
    // One hash at a time and none queued: a request that reached argon2 alongside another would 503.
    const t = await sessionGatehouse({
      authentication: ['session', 'token', 'jwt', 'basic'],
      signup: true,
      throttle: THROTTLE_OFF,
      server: { bodyLimit: 4 * 1024 * 1024 },
      passwords: { maxConcurrentHashes: 1, maxQueuedHashes: 0 },
    });
    const mb = 'p'.repeat(1024 * 1024);
    const jar = await t.login();
    const key = (
      (await t.call('POST', '/api-token-auth/', { body: { username: 'alice', password: PASSWORD } }))
        .body as {
        token: string;
      }
    ).token;
    const tooLong = ['Ensure this field has no more than 1024 characters.'];
    const creds = { username: 'alice', password: mb };
    const calls = [
      () => t.call('POST', '/api/token/', { body: creds }),
      () => t.call('POST', '/api-token-auth/', { body: creds }),
      () => t.browser(jar, 'POST', '/api/auth/login/', { body: creds }),
      () => t.call('POST', '/api/auth/register/', { body: { username: 'mallory', password: mb } }),
      () =>
        t.call('POST', '/api/auth/password/', {
          headers: { authorization: `Token ${key}` },
          body: { old_password: mb, new_password: mb },
        }),
    ];
    const results = await Promise.all(Array.from({ length: 4 }, () => calls.map((c) => c())).flat());
    for (const res of results) {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(Object.values(res.body as Record<string, string[]>)).toContainEqual(tooLong);
    }
    // Basic reads it from a header (no body limit applies): refused without hashing.
    const basic = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.call('GET', '/api/me/', { headers: { authorization: basicAuth('alice', mb.slice(0, 12_000)) } }),
      ),
    );
    // A rejected credential is a 401 with its scheme's challenge, even with session first.
    expect(basic.map((r) => r.status)).toEqual(Array(20).fill(401));
    // The control: the same burst with short wrong passwords does reach argon2, and is refused 503.
    const short = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.call('GET', '/api/me/', { headers: { authorization: basicAuth('alice', 'wrong') } }),
      ),
    );
    expect(short.map((r) => r.status)).toContain(503);
  });

  it('a username over 150 characters is refused without a lookup', async () => {
    const t = await makeGatehouse({ authentication: ['jwt', 'basic'], throttle: THROTTLE_OFF });
    await t.user('alice', PASSWORD);
    const find = vi.spyOn(t.stores.users, 'findByUsername');
    const name = 'a'.repeat(151);
    const res = await t.call('POST', '/api/token/', { body: { username: name, password: PASSWORD } });
    // A field error, as DRF's CharField(max_length=150) gives; Basic has no fields, so 401.
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ username: ['Ensure this field has no more than 150 characters.'] });
    expect(
      (await t.call('GET', '/api/me/', { headers: { authorization: basicAuth(name, 'x') } })).status,
    ).toBe(401);
    expect(find).not.toHaveBeenCalled();
  });

  it(`reads at most ${MAX_COOKIES} cookies: a session cookie after them does not count`, async () => {
    const t = await sessionGatehouse();
    const jar = await t.login();
    const session = `sessionid=${encodeURIComponent(jar.get('sessionid')!)}`;
    const filler = Array.from({ length: MAX_COOKIES }, (_, i) => `f${i}=${i}`).join('; ');
    const me = (cookie: string) => t.call('GET', '/api/me/', { headers: { cookie } });
    expect((await me(`${filler}; ${session}`)).status).toBe(403);
    expect((await me(`${session}; ${filler}`)).status).toBe(200);
  });

  it('a form with more than 64 fields is a 400, not a map of any size', async () => {
    const t = await sessionGatehouse({ authentication: ['jwt'] });
    const form = Array.from({ length: 65 }, (_, i) => `f${i}=x`).join('&');
    const res = await t.call('POST', '/api/token/', {
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: 'Form has more than 64 fields.', code: 'parse_error' });
  });
});
