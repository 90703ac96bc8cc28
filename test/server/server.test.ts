import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineConfig } from '../../src/core/config.js';
import { buildServer, type Server } from '../../src/server/app.js';
import { openStores } from '../../src/stores/open.js';
import { FAST_HASHING, TEST_SECRET } from '../helpers/gatehouse.js';
import { tempProject } from '../helpers/temp.js';

let server: Server;
let base: string;

beforeAll(async () => {
  const dir = tempProject();
  const config = defineConfig({
    secretKey: TEST_SECRET,
    database: `sqlite:${join(dir, 'gh.db')}`,
    email: { outbox: join(dir, 'outbox') },
    authentication: ['basic'],
    signup: true,
    passwords: { argon2: FAST_HASHING },
    server: { bodyLimit: 4096, maxHeaderSize: 8192 },
  });
  server = await buildServer({ config, stores: await openStores(config), logger: false });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});
afterAll(() => server.app.close());

/** A raw request, so the test controls bytes and headers that fetch would refuse to send. */
function raw(method: string, path: string, headers: Record<string, string>, body?: Buffer | string) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = request(`${base}${path}`, { method, headers }, (res) => {
        let data = '';
        res.on('data', (d) => {
          data += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(body);
    },
  );
}

describe('standalone server', () => {
  it("answers a request Node's parser refuses with DRF's shape, not Fastify's", async () => {
    const { connect } = await import('node:net');
    const port = Number(new URL(base).port);
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('GET /api/me/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (d) => {
        data += d;
      });
      socket.on('close', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(reply).toContain('{"detail":"Malformed HTTP request.","code":"bad_request"}');
  });

  it('reports health and readiness', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
  });

  it('answers with and without the trailing slash', async () => {
    for (const path of ['/api/me/', '/api/me']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="api"');
      expect(res.headers.get('vary')).toBe('Cookie, Authorization');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('answers unknown routes and wrong methods with JSON', async () => {
    const nf = await fetch(`${base}/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ detail: 'Not found.', code: 'not_found' });
    const na = await fetch(`${base}/api/me/`, { method: 'PUT' });
    expect(na.status).toBe(405);
    expect(na.headers.get('allow')).toContain('GET');
  });

  it('refuses bodies over the limit with 413 JSON', async () => {
    const res = await raw(
      'POST',
      '/api/auth/register/',
      { 'content-type': 'application/json' },
      JSON.stringify({ username: 'x', password: 'y'.repeat(10_000) }),
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'payload_too_large' });
  });

  it.each([
    ['truncated JSON', 'application/json', '{"username": "a", "pass'],
    ['non-UTF-8 bytes', 'application/json', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['JSON null', 'application/json', 'null'],
    ['a list', 'application/json', '[1,2]'],
    ['wrong field types', 'application/json', '{"username": 5, "password": {"a": 1}}'],
    ['an unknown content type', 'text/csv', 'a,b'],
  ])('answers %s with a 4xx JSON body, never a 500', async (_name, type, body) => {
    const res = await raw('POST', '/api/auth/register/', { 'content-type': type }, body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(() => JSON.parse(res.body)).not.toThrow();
  });

  it('refuses oversized headers (431) and keeps serving', async () => {
    const res = await raw('GET', '/api/me/', { 'x-big': 'a'.repeat(20_000) });
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toEqual({
      detail: 'Request header fields too large.',
      code: 'headers_too_large',
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('refuses an over-long password before hashing it', async () => {
    const res = await fetch(`${base}/api/auth/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'longpw', password: 'p'.repeat(2000) }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ password: ['Ensure this field has no more than 1024 characters.'] });
  });
});
