import { describe, expect, it } from 'vitest';
import { clearCookie, MAX_COOKIES, parseCookies, serializeCookie } from './cookies.js';
import { createAuthRequest, isSafeMethod } from './request.js';

describe('createAuthRequest', () => {
  it('lower-cases headers, joins repeats, splits path and query, parses cookies lazily', () => {
    const req = createAuthRequest({
      method: 'post',
      url: '/api/me/?x=1',
      headers: {
        Authorization: 'Token abc',
        'X-Forwarded-For': ['a', 'b'],
        Cookie: 'sessionid=s1; csrftoken=c%201',
      },
      ip: '10.0.0.1',
    });
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/me/');
    expect(req.headers.authorization).toBe('Token abc');
    expect(req.headers['x-forwarded-for']).toBe('a, b');
    expect(req.cookies).toEqual({ sessionid: 's1', csrftoken: 'c 1' });
    expect(req.ip).toBe('10.0.0.1');
    expect(req.secure).toBe(false);
  });

  it('knows the safe methods', () => {
    expect(['GET', 'HEAD', 'OPTIONS', 'TRACE'].every(isSafeMethod)).toBe(true);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].some(isSafeMethod)).toBe(false);
  });
});

describe('cookies', () => {
  it('keeps the first of a repeated name and ignores malformed pairs and bad escapes', () => {
    expect(parseCookies('a=1; a=2; junk; b="q"; c=%E0%A4%A')).toEqual({ a: '1', b: 'q', c: '%E0%A4%A' });
  });

  it('reads at most MAX_COOKIES pairs', () => {
    const header = Array.from({ length: MAX_COOKIES + 50 }, (_, i) => `k${i}=v`).join('; ');
    expect(Object.keys(parseCookies(header))).toHaveLength(MAX_COOKIES);
  });

  it('does not let a cookie named __proto__ touch the prototype', () => {
    const c = parseCookies('__proto__=x; constructor=y');
    expect(c.__proto__).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('serialises flags and clears', () => {
    expect(
      serializeCookie('sessionid', 'a b', { httpOnly: true, secure: true, sameSite: 'Lax', maxAge: 60 }),
    ).toBe('sessionid=a%20b; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax');
    expect(clearCookie('sessionid')).toMatch(
      /^sessionid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=\//,
    );
  });
});
