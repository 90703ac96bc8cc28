import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBody } from '../../src/contract/parse-body.js';
import { MAX_COOKIES, parseCookies, serializeCookie } from '../../src/core/cookies.js';
import { AuthenticationFailed, GatehouseError } from '../../src/core/errors.js';
import { createAuthRequest } from '../../src/core/request.js';
import { decodeCredentials } from '../../src/schemes/basic/scheme.js';
import { readTokenHeader } from '../../src/schemes/token/header.js';
import { type JwtTestGatehouse, jwtGatehouse, PASSWORD } from '../helpers/jwt.js';

/**
 * Property-based tests of every parser that reads what a client sends. A fixed seed keeps CI
 * reproducible; FC_SEED=<n> explores other inputs (a failure prints the seed and path to replay).
 */
const SEED = Number(process.env.FC_SEED ?? 20_261_125);
fc.configureGlobal({ seed: SEED, numRuns: 300 });

/** Any text, including lone surrogates and control characters. */
const anyText = fc.string({ unit: 'binary', maxLength: 300 });
/** What node hands over as a header value: one char per byte (Latin-1). */
const headerBytes = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1'));
/** Well-formed text (a round trip through UTF-8 keeps it). */
const text = fc.string({ unit: 'grapheme', maxLength: 60 });
const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const tokenChar = fc.constantFrom(...TOKEN_CHARS.split(''));
const cookieName = fc.string({ unit: tokenChar, minLength: 1, maxLength: 20 });
const b64url = fc
  .base64String({ maxLength: 80 })
  .map((s) => s.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));

/** Text over the characters parsers split and decode on, so the edge cases come up often. */
const tricky = (extra: string[] = []) =>
  fc.string({
    unit: fc.constantFrom(
      'a',
      'Z',
      '0',
      '=',
      ';',
      ',',
      ' ',
      '\t',
      '%',
      'E',
      'f',
      '"',
      ':',
      '+',
      '/',
      '\u00a0',
      '\u00ff',
      '\ud800',
      ...extra,
    ),
    maxLength: 120,
  });

/** Runs `fn`; returns what it threw (or null). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return null;
  } catch (err) {
    return err;
  }
}

describe('cookies', () => {
  it('any Cookie header parses without throwing, into at most MAX_COOKIES prototype-less entries', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, headerBytes, tricky(['__proto__', 'constructor', '%E0%A4%A', '%ZZ'])),
        (header) => {
          const out = parseCookies(header);
          expect(Object.getPrototypeOf(out)).toBeNull();
          expect(Object.keys(out).length).toBeLessThanOrEqual(MAX_COOKIES);
          expect(({} as Record<string, unknown>).x).toBeUndefined();
        },
      ),
    );
  });

  it('a serialized cookie reads back as its value; the first of a repeated name wins', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(cookieName, text), { maxLength: MAX_COOKIES }), (pairs) => {
        const header = pairs.map(([n, v]) => serializeCookie(n, v).split(';', 1)[0]).join('; ');
        const out = parseCookies(header);
        const expected = new Map<string, string>();
        for (const [n, v] of pairs) if (!expected.has(n)) expected.set(n, v);
        expect(Object.fromEntries(Object.entries(out))).toEqual(Object.fromEntries(expected));
      }),
    );
  });

  it('ignores every pair after the limit', () => {
    const header = Array.from({ length: MAX_COOKIES + 10 }, (_, i) => `c${i}=${i}`).join('; ');
    expect(Object.keys(parseCookies(header))).toHaveLength(MAX_COOKIES);
    expect(parseCookies(header)[`c${MAX_COOKIES}`]).toBeUndefined();
  });
});

describe('request headers', () => {
  it('any header map becomes lower-cased names with one string each; path and method are derived', () => {
    const value = fc.oneof(
      headerBytes,
      fc.array(headerBytes, { minLength: 1, maxLength: 4 }),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: tokenChar, minLength: 1, maxLength: 30 }), value),
        anyText,
        fc.string({ unit: tokenChar, minLength: 1, maxLength: 10 }),
        (headers, url, method) => {
          const req = createAuthRequest({ method, url, headers, ip: '192.0.2.1' });
          expect(req.method).toBe(method.toUpperCase());
          expect(req.url.startsWith(req.path)).toBe(true);
          expect(req.path.includes('?')).toBe(false);
          for (const [name, got] of Object.entries(req.headers)) {
            expect(name).toBe(name.toLowerCase());
            expect(got === undefined || typeof got === 'string', name).toBe(true);
          }
          for (const [name, v] of Object.entries(headers)) {
            const lower = name.toLowerCase();
            // Only a name that came once in one case has a single source to compare with.
            if (
              lower === '__proto__' ||
              Object.keys(headers).filter((k) => k.toLowerCase() === lower).length > 1
            )
              continue;
            expect(req.headers[lower]).toBe(Array.isArray(v) ? v.join(', ') : v);
          }
          // Cookies parse lazily from whatever came, without throwing.
          expect(typeof req.cookies).toBe('object');
        },
      ),
    );
  });
});

describe('Basic credentials', () => {
  it('any credentials string decodes or is refused with a 401, nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, headerBytes, fc.base64String({ maxLength: 200 }), tricky(['==', 'QQ', 'YQ=='])),
        (encoded) => {
          const err = thrown(() => decodeCredentials(encoded));
          if (err !== null) expect(err).toBeInstanceOf(AuthenticationFailed);
        },
      ),
    );
  });

  it('round-trips any username without a colon and any password (UTF-8)', () => {
    fc.assert(
      fc.property(
        text.filter((u) => !u.includes(':')),
        text,
        (username, password) => {
          const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
          expect(decodeCredentials(encoded)).toEqual({ username, password });
        },
      ),
    );
  });

  it('falls back to Latin-1 for bytes that are not UTF-8, as DRF does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const { username, password } = decodeCredentials(Buffer.from(bytes).toString('base64'));
        const back = `${username}${bytes.includes(0x3a) ? ':' : ''}${password}`;
        expect(
          [Buffer.from(back, 'utf8'), Buffer.from(back, 'latin1')].some((b) => b.equals(Buffer.from(bytes))),
        ).toBe(true);
      }),
    );
  });
});

describe('Token header', () => {
  it('any Authorization value is not ours, a key, or a 401 — never a key with whitespace in it', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          headerBytes,
          text.map((t) => `Token ${t}`),
          headerBytes.map((t) => `token ${t}`),
        ),
        (header) => {
          let key: string | null = null;
          const err = thrown(() => {
            key = readTokenHeader(header, 'token');
          });
          if (err !== null) expect(err).toBeInstanceOf(AuthenticationFailed);
          if (key !== null) expect(key).not.toMatch(/[ \t\n\r\v\f]/);
        },
      ),
    );
  });

  it('reads back any key of token characters, whatever the keyword’s case and the spacing', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: tokenChar, minLength: 1, maxLength: 80 }),
        fc.constantFrom('Token', 'token', 'TOKEN', 'tOkEn'),
        fc.constantFrom(' ', '  ', '\t', ' \t '),
        (key, keyword, space) => {
          expect(readTokenHeader(`${keyword}${space}${key}`, 'token')).toBe(key);
        },
      ),
    );
  });
});

describe('JWT', () => {
  let t: JwtTestGatehouse;
  let valid: string;
  beforeAll(async () => {
    t = await jwtGatehouse();
    valid = (await t.login()).access;
  });

  const me = (authorization: string) => t.call('GET', '/api/me/', { headers: { authorization } });

  it('any Bearer value is refused with a 401, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(headerBytes, anyText, b64url), async (value) => {
        const res = await me(`Bearer ${value}`);
        expect([401]).toContain(res.status);
        expect((res.body as { code: string }).code).toMatch(/^(token_not_valid|bad_authorization_header)$/);
      }),
    );
  });

  it('any JWT-shaped token with arbitrary header and payload JSON (alg none included) is refused', async () => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const header = fc.oneof(
      fc.jsonValue(),
      fc.record({
        alg: fc.constantFrom('none', 'HS256', 'RS256', 'ES256', 'HS512', 'None', ''),
        typ: fc.constant('JWT'),
        kid: fc.option(fc.string()),
      }),
    );
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.record({
        token_type: fc.constantFrom('access', 'refresh', 'sliding'),
        user_id: fc.oneof(fc.integer(), fc.string()),
        exp: fc.integer(),
        jti: fc.string(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(header, payload, fc.oneof(b64url, fc.constant('')), async (h, p, sig) => {
        const res = await me(`Bearer ${part(h)}.${part(p)}.${sig}`);
        expect(res.status).toBe(401);
      }),
    );
  });

  it('a valid token with its payload changed in any way no longer verifies', async () => {
    const [h, p, s] = valid.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(claims)), fc.jsonValue(), async (claim, value) => {
        fc.pre(JSON.stringify(value) !== JSON.stringify(claims[claim]));
        const forged = Buffer.from(JSON.stringify({ ...claims, [claim]: value })).toString('base64url');
        expect((await me(`Bearer ${h}.${forged}.${s}`)).status).toBe(401);
      }),
      { numRuns: 100 },
    );
    expect((await me(`Bearer ${valid}`)).status).toBe(200);
  });
});

describe('JSON bodies', () => {
  const anyType = fc.oneof(
    fc.constant('application/json'),
    fc.constant('application/json; charset=utf-8'),
    fc.constant('application/vnd.api+json'),
    fc.constant(undefined),
    headerBytes,
  );

  it('any text with any content type parses or is a 4xx, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyText, fc.json(), headerBytes),
        fc.oneof(anyType, fc.constant('multipart/form-data; boundary=x'), fc.constant('multipart/form-data')),
        async (raw, type) => {
          const err = await parseBody(raw, type, { limit: 64 * 1024 }).then(
            () => null,
            (e: unknown) => e,
          );
          if (err !== null) {
            expect(err).toBeInstanceOf(GatehouseError);
            expect((err as GatehouseError).status).toBeGreaterThanOrEqual(400);
            expect((err as GatehouseError).status).toBeLessThan(500);
          }
        },
      ),
    );
  });

  it('round-trips any JSON value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const raw = JSON.stringify(value);
        expect(JSON.stringify(await parseBody(raw, 'application/json', { limit: 1 << 20 }))).toBe(raw);
      }),
    );
  });

  it('refuses a body over the limit by its UTF-8 size, not its length in characters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), async (s) => {
        const raw = JSON.stringify(s);
        const bytes = Buffer.byteLength(raw);
        await expect(parseBody(raw, 'application/json', { limit: bytes - 1 })).rejects.toThrow(
          /larger than the limit/,
        );
        expect(await parseBody(raw, 'application/json', { limit: bytes })).toBe(s);
      }),
    );
  });

  it('every body-taking route answers any JSON or form body with a 2xx or a DRF-shaped 4xx', async () => {
    const t = await jwtGatehouse(
      {},
      {
        authentication: ['jwt', 'token'],
        signup: true,
        throttle: {
          backoffAfter: 0,
          login: null,
          loginUsername: null,
          register: null,
          refresh: null,
          passwordChange: null,
        },
      },
    );
    const { access } = await t.login();
    const routes = [
      '/api/token/',
      '/api/token/refresh/',
      '/api/token/verify/',
      '/api/token/blacklist/',
      '/api-token-auth/',
      '/api/auth/register/',
      '/api/auth/tokens/',
      '/api/auth/password/',
    ];
    const field = fc.oneof(
      fc.jsonValue(),
      fc.constant('alice'),
      fc.constant(PASSWORD),
      fc.string({ maxLength: 2000 }),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          username: field,
          password: field,
          refresh: field,
          token: field,
          name: field,
          expires_in: field,
          scopes: field,
          old_password: field,
          new_password: field,
          email: field,
        },
        { requiredKeys: [] },
      ),
    );
    const form = fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 50 })), {
      maxLength: 80,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          body.map((b) => ({ json: b })),
          form.map((f) => ({ form: f })),
        ),
        async (route, input) => {
          const headers: Record<string, string> = { authorization: `Bearer ${access}` };
          let raw: string;
          if ('json' in input) raw = JSON.stringify(input.json);
          else {
            raw = new URLSearchParams(input.form).toString();
            headers['content-type'] = 'application/x-www-form-urlencoded';
          }
          const res = await t.call('POST', route, { headers, body: raw });
          expect(res.status, `${route} ${raw.slice(0, 200)}`).toBeLessThan(500);
          if (res.status >= 400) {
            const b = res.body as Record<string, unknown>;
            const drf =
              (typeof b.detail === 'string' && typeof b.code === 'string') ||
              Object.values(b).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'));
            expect(drf, JSON.stringify(b)).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
