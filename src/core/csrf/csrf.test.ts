import { describe, expect, it } from 'vitest';
import { CsrfFailed } from '../errors.js';
import { type AuthRequest, createAuthRequest } from '../request.js';
import { csrfSettings } from '../settings/csrf.js';
import { createCsrf } from './csrf.js';
import {
  CSRF_ALPHABET,
  csrfFormatProblem,
  maskCsrfSecret,
  newCsrfSecret,
  readCsrfSecret,
  unmaskCsrfToken,
} from './token.js';

const SECRET = newCsrfSecret();
const HOST = 'api.example.com';

function request(
  method: string,
  headers: Record<string, string>,
  opts: { secure?: boolean; form?: Record<string, string> } = {},
): AuthRequest {
  const req = createAuthRequest({
    method,
    url: '/x/',
    headers: { host: HOST, ...headers },
    secure: opts.secure,
  });
  if (opts.form) req.form = opts.form;
  return req;
}

/** A same-origin POST with the cookie and a masked token, plus what a test changes. */
function post(headers: Record<string, string | undefined> = {}, opts: { secure?: boolean } = {}) {
  const base: Record<string, string | undefined> = {
    origin: `${opts.secure ? 'https' : 'http'}://${HOST}`,
    cookie: `csrftoken=${SECRET}`,
    'x-csrftoken': maskCsrfSecret(SECRET),
    ...headers,
  };
  const clean = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  return request('POST', clean, opts);
}

function failure(fn: () => void): { code: string; detail: string } | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (!(err instanceof CsrfFailed)) throw err;
    return { code: err.code, detail: err.detail };
  }
}

const csrf = (input: Record<string, unknown> = {}) => createCsrf(csrfSettings.parse(input));

describe('CSRF tokens (Django format)', () => {
  it('masks a secret differently each time and unmasks to the same secret', () => {
    expect(SECRET).toMatch(/^[A-Za-z0-9]{32}$/);
    const a = maskCsrfSecret(SECRET);
    const b = maskCsrfSecret(SECRET);
    expect(a).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(a).not.toBe(b);
    expect(unmaskCsrfToken(a)).toBe(SECRET);
    expect(unmaskCsrfToken(b)).toBe(SECRET);
  });

  it('reads a masked token, or a bare 32-character secret as Django does', () => {
    expect(readCsrfSecret(maskCsrfSecret(SECRET))).toBe(SECRET);
    expect(readCsrfSecret(SECRET)).toBe(SECRET);
    expect(readCsrfSecret('short')).toBeNull();
    expect(csrfFormatProblem('x'.repeat(10))).toBe('has incorrect length');
    expect(csrfFormatProblem(`${'a'.repeat(31)}!`)).toBe('has invalid characters');
    expect(csrfFormatProblem(`${'a'.repeat(31)}é`)).toBe('has invalid characters');
  });

  it('uses every character of the alphabet, none other', () => {
    const seen = new Set(Array.from({ length: 200 }, () => newCsrfSecret()).join(''));
    expect([...seen].sort().join('')).toBe([...CSRF_ALPHABET].sort().join(''));
  });
});

describe('createCsrf().enforce', () => {
  it('lets safe methods through without anything', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE']) {
      expect(failure(() => csrf().enforce(request(method, {})))).toBeNull();
    }
  });

  it('accepts a same-origin request with the masked token in X-CSRFToken', () => {
    expect(failure(() => csrf().enforce(post()))).toBeNull();
    expect(failure(() => csrf().enforce(post({}, { secure: true })))).toBeNull();
  });

  it('refuses another Origin, an opaque one, and the right host on the wrong scheme: csrf_origin', () => {
    for (const origin of ['http://evil.example', 'null', `https://${HOST}`, `http://${HOST}:8080`]) {
      expect(failure(() => csrf().enforce(post({ origin })))).toEqual({
        code: 'csrf_origin',
        detail: `CSRF Failed: Origin checking failed - ${origin} does not match any trusted origins.`,
      });
    }
  });

  it('accepts trusted origins, exact or with a subdomain wildcard, scheme included', () => {
    const c = csrf({ trustedOrigins: ['https://app.example.org', 'https://*.example.net'] });
    for (const origin of [
      'https://app.example.org',
      'https://a.example.net',
      'https://a.b.example.net',
      'https://example.net',
    ]) {
      expect(
        failure(() => c.enforce(post({ origin }))),
        origin,
      ).toBeNull();
    }
    for (const origin of [
      'http://app.example.org',
      'http://a.example.net',
      'https://evilexample.net',
      'https://example.org',
    ]) {
      expect(failure(() => c.enforce(post({ origin })))?.code, origin).toBe('csrf_origin');
    }
  });

  it('over HTTPS without Origin, requires a secure, matching Referer: csrf_referer', () => {
    const c = csrf({ trustedOrigins: ['https://*.example.org'] });
    const referer = (value: string | undefined) =>
      failure(() => c.enforce(post({ origin: undefined, referer: value }, { secure: true })));
    expect(referer(`https://${HOST}/account/`)).toBeNull();
    expect(referer('https://app.example.org/page')).toBeNull();
    expect(referer(undefined)).toEqual({
      code: 'csrf_referer',
      detail: 'CSRF Failed: Referer checking failed - no Referer.',
    });
    expect(referer('not a url')?.detail).toContain('Referer is malformed');
    expect(referer(`http://${HOST}/`)?.detail).toContain('Referer is insecure while host is secure');
    expect(referer('https://evil.example/')).toEqual({
      code: 'csrf_referer',
      detail:
        'CSRF Failed: Referer checking failed - https://evil.example/ does not match any trusted origins.',
    });
  });

  it('with a cookie domain, a Referer from any of its subdomains passes', () => {
    const c = csrf({ cookieDomain: '.example.com' });
    const ok = post({ origin: undefined, referer: 'https://www.example.com/' }, { secure: true });
    expect(failure(() => c.enforce(ok))).toBeNull();
    const bad = post({ origin: undefined, referer: 'https://www.example.org/' }, { secure: true });
    expect(failure(() => c.enforce(bad))?.code).toBe('csrf_referer');
  });

  it('over plain HTTP without Origin, relies on the token alone (as Django)', () => {
    expect(failure(() => csrf().enforce(post({ origin: undefined })))).toBeNull();
    expect(failure(() => csrf().enforce(post({ origin: undefined, 'x-csrftoken': undefined })))?.code).toBe(
      'csrf_missing',
    );
  });

  it('refuses a missing or malformed cookie, and a missing token: csrf_missing', () => {
    expect(failure(() => csrf().enforce(post({ cookie: undefined })))).toEqual({
      code: 'csrf_missing',
      detail: 'CSRF Failed: CSRF cookie not set.',
    });
    expect(failure(() => csrf().enforce(post({ cookie: 'csrftoken=abc' })))).toEqual({
      code: 'csrf_missing',
      detail: 'CSRF Failed: CSRF cookie has incorrect length.',
    });
    expect(failure(() => csrf().enforce(post({ 'x-csrftoken': undefined })))).toEqual({
      code: 'csrf_missing',
      detail: 'CSRF Failed: CSRF token missing.',
    });
  });

  it('refuses a malformed token, and a token of another secret: csrf_mismatch', () => {
    expect(failure(() => csrf().enforce(post({ 'x-csrftoken': 'abc' })))).toEqual({
      code: 'csrf_mismatch',
      detail: "CSRF Failed: CSRF token from the 'X-CSRFToken' HTTP header has incorrect length.",
    });
    expect(failure(() => csrf().enforce(post({ 'x-csrftoken': maskCsrfSecret(newCsrfSecret()) })))).toEqual({
      code: 'csrf_mismatch',
      detail: "CSRF Failed: CSRF token from the 'X-CSRFToken' HTTP header incorrect.",
    });
  });

  it('accepts the bare secret from the cookie (what a page reading csrftoken sends)', () => {
    expect(failure(() => csrf().enforce(post({ 'x-csrftoken': SECRET })))).toBeNull();
  });

  it('reads csrfmiddlewaretoken from a POSTed form before the header', () => {
    const form = (token: string) =>
      request(
        'POST',
        { origin: `http://${HOST}`, cookie: `csrftoken=${SECRET}` },
        { form: { csrfmiddlewaretoken: token } },
      );
    expect(failure(() => csrf().enforce(form(maskCsrfSecret(SECRET))))).toBeNull();
    expect(failure(() => csrf().enforce(form('x'.repeat(64))))).toEqual({
      code: 'csrf_mismatch',
      detail: 'CSRF Failed: CSRF token from POST incorrect.',
    });
  });

  it('takes a csrfmiddlewaretoken that is not a string (a JSON list or object) as absent, never a crash', () => {
    const base = { origin: `http://${HOST}`, cookie: `csrftoken=${SECRET}` };
    for (const value of [[maskCsrfSecret(SECRET)], Array(64).fill('a'), { a: 1 }, 42, null]) {
      const form = { csrfmiddlewaretoken: value } as unknown as Record<string, string>;
      expect(failure(() => csrf().enforce(request('POST', base, { form })))).toEqual({
        code: 'csrf_missing',
        detail: 'CSRF Failed: CSRF token missing.',
      });
      const withHeader = request('POST', { ...base, 'x-csrftoken': maskCsrfSecret(SECRET) }, { form });
      expect(failure(() => csrf().enforce(withHeader))).toBeNull();
    }
  });

  it('uses the configured header and cookie names', () => {
    const c = csrf({ headerName: 'X-XSRF-Token', cookieName: 'xsrf' });
    const req = request('DELETE', {
      origin: `http://${HOST}`,
      cookie: `xsrf=${SECRET}`,
      'x-xsrf-token': maskCsrfSecret(SECRET),
    });
    expect(failure(() => c.enforce(req))).toBeNull();
  });

  it('enforceOrigin checks only the origin', () => {
    expect(failure(() => csrf().enforceOrigin(request('POST', { origin: `http://${HOST}` })))).toBeNull();
    expect(failure(() => csrf().enforceOrigin(request('POST', {})))).toBeNull();
    expect(failure(() => csrf().enforceOrigin(request('POST', { origin: 'http://evil' })))?.code).toBe(
      'csrf_origin',
    );
  });
});

describe('createCsrf().issue', () => {
  it('keeps a well-formed secret, replaces a bad one, and rotates on demand', () => {
    const keep = csrf().issue(request('GET', { cookie: `csrftoken=${SECRET}` }));
    expect(keep.setCookie.startsWith(`csrftoken=${SECRET};`)).toBe(true);
    expect(unmaskCsrfToken(keep.token)).toBe(SECRET);
    const replaced = csrf().issue(request('GET', { cookie: 'csrftoken=junk' }));
    expect(replaced.setCookie).not.toContain('junk');
    const rotated = csrf().issue(request('GET', { cookie: `csrftoken=${SECRET}` }), { rotate: true });
    expect(rotated.setCookie).not.toContain(SECRET);
    expect(unmaskCsrfToken(rotated.token)).not.toBe(SECRET);
  });

  it('sets a cookie the page can read: not HttpOnly, SameSite=Lax, Secure over HTTPS, a year', () => {
    const plain = csrf().issue(request('GET', {})).setCookie;
    expect(plain).toMatch(/^csrftoken=[A-Za-z0-9]{32}; Max-Age=31449600; Path=\/; SameSite=Lax$/);
    expect(csrf().issue(request('GET', {}, { secure: true })).setCookie).toContain('; Secure');
    expect(csrf({ cookieSecure: true }).issue(request('GET', {})).setCookie).toContain('; Secure');
  });
});
