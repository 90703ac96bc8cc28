import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HardeningServer, PASSWORD, startHardeningServer } from './server.js';

let s: HardeningServer;
let access: string;

beforeAll(async () => {
  // trustProxy: the HTTPS case is a TLS-terminating proxy saying X-Forwarded-Proto: https.
  s = await startHardeningServer({ server: { trustProxy: true } });
  const res = await fetch(`${s.origin}/api/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: PASSWORD }),
  });
  access = ((await res.json()) as { access: string }).access;
});

afterAll(async () => {
  await s?.close();
});

type Case = [
  name: string,
  method: string,
  path: string,
  init?: { headers?: Record<string, string>; body?: string },
];

const json = { 'content-type': 'application/json' };

/** Responses of the contract, successes and every kind of refusal the server can give. */
const CONTRACT: Case[] = [
  ['200 me', 'GET', '/api/me/', { headers: { authorization: 'bearer' } }],
  ['401/403 anonymous', 'GET', '/api/me/'],
  ['401 bad token', 'GET', '/api/me/', { headers: { authorization: 'Token gat_nope' } }],
  [
    '200 obtain',
    'POST',
    '/api/token/',
    { headers: json, body: JSON.stringify({ username: 'alice', password: PASSWORD }) },
  ],
  [
    '401 obtain',
    'POST',
    '/api/token/',
    { headers: json, body: JSON.stringify({ username: 'alice', password: 'x' }) },
  ],
  ['400 fields', 'POST', '/api/token/', { headers: json, body: '{}' }],
  ['400 malformed JSON', 'POST', '/api/token/', { headers: json, body: '{"username": ' }],
  ['415 media type', 'POST', '/api/token/', { headers: { 'content-type': 'text/plain' }, body: 'x' }],
  [
    '413 body too large',
    'POST',
    '/api/token/',
    { headers: json, body: JSON.stringify({ p: 'x'.repeat(70_000) }) },
  ],
  ['404 unknown path', 'GET', '/api/nothing-here/'],
  ['405 method', 'DELETE', '/api/token/'],
  ['200 csrf', 'GET', '/api/auth/csrf/'],
];

async function send([, method, path, init]: Case, extra: Record<string, string> = {}): Promise<Response> {
  const headers = { ...init?.headers, ...extra };
  if (headers.authorization === 'bearer') headers.authorization = `Bearer ${access}`;
  return fetch(`${s.origin}${path}`, { method, headers, body: init?.body });
}

describe('response hardening', () => {
  it.each(CONTRACT)(
    '%s: no-store, Vary on credentials, nosniff, Referrer-Policy, frame-ancestors none',
    async (...c) => {
      const res = await send(c);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const vary = (res.headers.get('vary') ?? '').toLowerCase();
      expect(vary).toContain('cookie');
      expect(vary).toContain('authorization');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('strict-transport-security')).toBeNull();
    },
  );

  it.each(CONTRACT)('%s over HTTPS (through a trusted proxy): HSTS too', async (...c) => {
    const res = await send(c, { 'x-forwarded-proto': 'https' });
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('health checks and the schema: nosniff, and HSTS over HTTPS', async () => {
    for (const path of ['/healthz', '/readyz', '/api/schema/']) {
      const res = await fetch(`${s.origin}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
      const https = await fetch(`${s.origin}${path}`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(https.headers.get('strict-transport-security'), path).toBe(
        'max-age=31536000; includeSubDomains',
      );
    }
  });
});
