import { describe, expect, it } from 'vitest';
import { send } from './http.js';
import { TARGETS, useTarget } from './targets.js';

const BODY_LIMIT = 4096;

describe.each(TARGETS)('errors on $name', (target) => {
  const t = useTarget(target, { signup: true, server: { bodyLimit: BODY_LIMIT } });
  const register = () => `${t().base}/api/auth/register/`;

  it('answers an unknown path with DRF’s 404 body', async () => {
    const res = await send('GET', `${t().base}/api/nope/`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not found.', code: 'not_found' });
  });

  it('answers another method on a known path with 405 and Allow, with and without the slash', async () => {
    for (const path of ['/api/me/', '/api/me']) {
      const res = await send('PUT', `${t().base}${path}`);
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ detail: 'Method "PUT" not allowed.', code: 'method_not_allowed' });
      expect(res.headers.get('allow')?.split(', ')).toEqual(expect.arrayContaining(['GET', 'HEAD']));
      expect(res.headers.get('vary')).toBe('Cookie, Authorization');
    }
    const del = await send('DELETE', `${t().base}/api/auth/logout-all/`);
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('POST');
  });

  it('answers malformed JSON with 400 parse_error', async () => {
    const res = await send('POST', register(), { body: '{"username": ' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse_error' });
    expect((res.body as { detail: string }).detail).toMatch(/^JSON parse error - /);
  });

  it('answers a body that is not an object with DRF’s non_field_errors', async () => {
    const res = await send('POST', register(), { body: '[1, 2]' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
  });

  it('refuses a content type it does not read with 415', async () => {
    const res = await send('POST', register(), { body: 'a,b', headers: { 'content-type': 'text/csv' } });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('refuses a body over server.bodyLimit with 413 JSON', async () => {
    const res = await send('POST', register(), {
      body: { username: 'x', password: 'y'.repeat(BODY_LIMIT * 2) },
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'payload_too_large' });
  });

  it('answers bytes that are not UTF-8 with a 4xx JSON body', async () => {
    const res = await send('POST', register(), { body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse_error' });
  });

  it('sends the hardening headers on contract answers', async () => {
    const res = await send('GET', `${t().base}/api/me/`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
  });
});
