import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TARGETS, useTarget } from './targets.js';

/** A parsed raw HTTP answer: status, lower-cased headers, the JSON body. */
interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Sends bytes no HTTP client library would (a broken request line, a raw `%zz` path) and reads
 * the answer until the server closes the connection.
 */
function rawRequest(origin: string, head: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [top = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = top.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {}
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: parsed });
    });
  });
}

const request = (line: string) => `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

function expectBaseline(res: RawAnswer): void {
  expect(res.headers).toMatchObject({
    'content-type': 'application/json; charset=utf-8',
    vary: 'Cookie, Authorization',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'content-security-policy': "frame-ancestors 'none'",
  });
}

describe.each(TARGETS)('errors raised before any route on $name', (target) => {
  const t = useTarget(target);

  it('answers a malformed request line in DRF’s shape with the baseline headers', async () => {
    for (const line of ['GARBAGE', 'GET /\u0001x HTTP/1.1']) {
      const res = await rawRequest(t().origin, request(line));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: 'Malformed HTTP request.', code: 'bad_request' });
      expectBaseline(res);
    }
  });
});

// Express and Hono route a raw `%zz` and a segment of any length themselves (404, or the route):
// only Fastify's router refuses them before any route runs.
const FASTIFY_TARGETS = TARGETS.filter((t) => t.name === 'server' || t.name === 'fastify');

describe.each(FASTIFY_TARGETS)('Fastify’s router refusals on $name', (target) => {
  const t = useTarget(target);

  it('answers FST_ERR_BAD_URL and FST_ERR_MAX_PARAM_LENGTH in DRF’s shape', async () => {
    const bad = await rawRequest(t().origin, request(`GET ${t().prefix}/api/me/%zz HTTP/1.1`));
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      detail: 'Malformed request URL: every "%" must start a valid percent-escape.',
      code: 'malformed_url',
    });
    expectBaseline(bad);
    const id = 'a'.repeat(300);
    const long = await rawRequest(
      t().origin,
      request(`DELETE ${t().prefix}/api/auth/tokens/${id}/ HTTP/1.1`),
    );
    expect(long.status).toBe(414);
    expect(long.body).toEqual({
      detail: 'Request URL has a path segment longer than the server accepts.',
      code: 'uri_too_long',
    });
    expectBaseline(long);
  });
});
