/**
 * A generator of hostile HTTP/1.1 requests as raw bytes, driven by a seeded PRNG so a run is
 * reproducible: random methods, paths and headers, huge and non-UTF-8 values, broken framing
 * (lying Content-Length, bad chunking), truncated bodies, and now and then valid credentials so
 * the authenticated paths run too.
 */

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid credentials the generator mixes in (made by the test before the run). */
export interface FuzzCredentials {
  basic: string;
  apiKey: string;
  access: string;
  refresh: string;
  sessionCookie: string;
  csrf: string;
}

/** One generated request: its bytes, and whether it ends early (the socket closes mid-body). */
export interface FuzzRequest {
  bytes: Buffer;
  label: string;
}

const PATHS = [
  '/api/me/',
  '/api/me',
  '/api/token/',
  '/api/token/refresh/',
  '/api/token/verify/',
  '/api/token/blacklist/',
  '/api-token-auth/',
  '/api/auth/register/',
  '/api/auth/password/',
  '/api/auth/login/',
  '/api/auth/logout/',
  '/api/auth/logout-all/',
  '/api/auth/csrf/',
  '/api/auth/sessions/',
  '/api/auth/sessions/abc/',
  '/api/auth/tokens/',
  '/api/auth/tokens/xyz/',
  '/api/auth/tokens/xyz/rotate/',
  '/.well-known/jwks.json',
  '/healthz',
  '/readyz',
  '/api/schema/',
  '/',
  '/account/',
];
/** The method a contract path is mostly called with. */
function routeMethod(path: string): string {
  if (/tokens\/xyz\/$|sessions\/abc\/$/.test(path)) return 'DELETE';
  return /token|register|password|login|logout|rotate/.test(path) && !path.includes('jwks') ? 'POST' : 'GET';
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'get'];
const TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  '',
  ';;;',
];
const FIELDS = [
  'username',
  'password',
  'refresh',
  'token',
  'name',
  'expires_in',
  'scopes',
  'old_password',
  'new_password',
  'email',
  'csrfmiddlewaretoken',
];

export function createFuzzer(seed: number, creds: FuzzCredentials) {
  const r = prng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const chance = (p: number): boolean => r() < p;
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

  const bytes = (n: number, lo = 0, hi = 256): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = lo + int(hi - lo);
    return b;
  };
  /** A header-safe value: no CR/LF (unless asked for breakage), bytes above 0x7f included. */
  const headerValue = (n: number): Buffer => {
    const b = bytes(n, 0x20, 0x100);
    for (let i = 0; i < b.length; i++) if (b[i] === 0x7f) b[i] = 0x41;
    return b;
  };
  const size = (): number => pick([0, 1, 3, 16, 64, 300, 2000, 9000, 20_000]);
  const text = (): string => {
    const kind = int(6);
    if (kind === 0) return '';
    if (kind === 1) return 'alice';
    if (kind === 2) return 'correct horse battery staple';
    if (kind === 3) return 'x'.repeat(pick([151, 1025, 5000]));
    if (kind === 4) return String.fromCharCode(...Array.from({ length: int(40) }, () => int(0xd900)));
    return r().toString(36).slice(2);
  };
  const jsonValue = (depth = 0): unknown => {
    const kind = depth > 3 ? int(4) : int(7);
    if (kind === 0) return text();
    if (kind === 1) return int(2) ? int(1e9) - 5e8 : r() * 1e300;
    if (kind === 2) return chance(0.5);
    if (kind === 3) return null;
    if (kind === 4) return Array.from({ length: int(5) }, () => jsonValue(depth + 1));
    if (kind === 5) {
      // Own keys named like the prototype chain (as JSON.parse makes them), for pollution attempts.
      return Object.fromEntries([
        ['__proto__', jsonValue(depth + 1)],
        ['constructor', { prototype: { polluted: 1 } }],
      ]);
    }
    return Object.fromEntries(Array.from({ length: int(6) }, () => [pick(FIELDS), jsonValue(depth + 1)]));
  };
  const auth = (): string | Buffer => {
    switch (int(10)) {
      case 0:
        return creds.basic;
      case 1:
        return `Token ${creds.apiKey}`;
      case 2:
        return `Bearer ${creds.access}`;
      case 3:
        return `Bearer ${creds.access.slice(0, int(creds.access.length))}`;
      case 4:
        return `Basic ${bytes(int(200)).toString('base64')}`;
      case 5:
        return `Token ${headerValue(int(100)).toString('latin1')}`;
      case 6:
        return `Bearer ${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(jsonValue())).toString('base64url')}.`;
      case 7:
        return headerValue(size());
      case 8:
        return pick(['Basic', 'Token', 'Bearer', 'Bearer a b', 'Token  x y', 'basic ====']);
      default:
        return `Basic ${Buffer.from(`alice:${text()}`).toString('base64')}`;
    }
  };
  const cookie = (): string | Buffer => {
    switch (int(5)) {
      case 0:
        return `sessionid=${creds.sessionCookie}; csrftoken=${creds.csrf}`;
      case 1:
        return Array.from({ length: int(200) }, (_, i) => `c${i}=${int(1e6)}`).join('; ');
      case 2:
        return `sessionid=${headerValue(int(80)).toString('latin1')}`;
      case 3:
        return `sessionid=%E0%A4%A; =; ;;; a="b; __proto__=1; csrftoken=${'x'.repeat(int(100))}`;
      default:
        return headerValue(size());
    }
  };
  const target = (path: string, broken: boolean): Buffer => {
    switch (int(16)) {
      case 0:
        // Bytes above 0x7f in the request line are a parse error: only in broken requests.
        return Buffer.concat([Buffer.from(path), bytes(int(40), 0x21, broken ? 0x100 : 0x7f)]);
      case 1:
        return Buffer.from(`${path}?${'q='.repeat(int(3000))}`);
      case 2:
        return Buffer.from(`/${'a/'.repeat(int(4000))}`);
      case 3:
        return Buffer.from(
          pick([
            '/../../etc/passwd',
            '/%2e%2e/%2e%2e/',
            '//api//me//',
            '/api/auth/tokens/%00/',
            '*',
            'http://evil/api/me/',
            '/api/auth/sessions/%E0%A4%A/',
          ]),
        );
      case 4:
        return Buffer.from(path.toUpperCase());
      default:
        return Buffer.from(path);
    }
  };
  const body = (type: string): Buffer => {
    switch (int(6)) {
      case 0:
        return Buffer.alloc(0);
      case 1:
        return bytes(size());
      case 2:
        return Buffer.from(
          new URLSearchParams(
            Array.from({ length: int(80) }, (): [string, string] => [pick(FIELDS), text()]),
          ).toString(),
        );
      case 3:
        return Buffer.from('x'.repeat(pick([70_000, 200_000])));
      default: {
        const json = JSON.stringify(jsonValue());
        return Buffer.from(type.includes('urlencoded') ? encodeURIComponent(json) : (json ?? ''));
      }
    }
  };

  return function next(): FuzzRequest {
    // One request in four breaks HTTP itself; the rest are well-formed HTTP carrying hostile
    // values, so most of the run gets past node's parser into gatehouse.
    const broken = chance(0.25);
    const odd = (p: number): boolean => broken && chance(p * 4);
    const path = pick(PATHS);
    // Mostly the method the route takes, so requests reach handlers rather than a 405.
    const method = odd(0.05)
      ? bytes(1 + int(8), 0x21, 0x7f).toString('latin1')
      : chance(0.6)
        ? routeMethod(path)
        : pick(broken ? METHODS : METHODS.filter((m) => m !== 'get'));
    const version = odd(0.03) ? pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', '']) : 'HTTP/1.1';
    const headers: Array<[string, string | Buffer]> = [['Host', odd(0.03) ? headerValue(20) : '127.0.0.1']];
    const type = pick(TYPES);
    if (chance(0.8)) headers.push(['Content-Type', type]);
    if (chance(0.5)) headers.push(['Authorization', auth()]);
    if (chance(0.3)) headers.push(['Cookie', cookie()]);
    if (chance(0.3))
      headers.push(['X-Forwarded-For', chance(0.5) ? `198.51.100.${int(256)}` : headerValue(int(60))]);
    if (chance(0.2)) headers.push(['Origin', chance(0.5) ? 'http://127.0.0.1' : headerValue(int(60))]);
    if (chance(0.2)) headers.push(['X-CSRFToken', chance(0.5) ? creds.csrf : headerValue(int(80))]);
    if (chance(0.3)) headers.push(['User-Agent', headerValue(size())]);
    if (chance(0.1)) headers.push([`X-${int(1000)}`, headerValue(size())]);
    if (odd(0.02)) headers.push([bytes(1 + int(10), 0x21, 0x100).toString('latin1'), 'bad name']);
    if (odd(0.02)) headers.push(['X-Broken', Buffer.from(`a\nb\0c\r`)]);
    let payload = method === 'GET' && chance(0.8) ? Buffer.alloc(0) : body(type);
    let label = 'plain';
    const framing = broken ? int(8) : 6 + int(14);
    if (framing === 0) {
      headers.push(['Transfer-Encoding', 'chunked']);
      payload = Buffer.concat([
        Buffer.from(`${payload.length.toString(16)}\r\n`),
        payload,
        Buffer.from('\r\n0\r\n\r\n'),
      ]);
      label = 'chunked';
    } else if (framing === 1) {
      headers.push(['Transfer-Encoding', 'chunked']);
      payload = Buffer.concat([Buffer.from('zz\r\n'), payload]);
      label = 'bad-chunked';
    } else if (framing === 2) {
      headers.push(['Content-Length', String(payload.length + 1 + int(100_000))]);
      label = 'truncated';
    } else if (framing === 3) {
      headers.push(['Content-Length', pick(['-1', 'abc', '1e3', '', ' 5', '99999999999999999999'])]);
      label = 'bad-length';
    } else if (framing === 4) {
      headers.push(
        ['Content-Length', String(payload.length)],
        ['Content-Length', String(payload.length + 1)],
      );
      label = 'two-lengths';
    } else if (framing === 5 && payload.length) {
      label = 'no-length';
    } else if (payload.length || method !== 'GET') {
      headers.push(['Content-Length', String(payload.length)]);
    }
    const head = Buffer.concat([
      Buffer.from(`${method} `, 'latin1'),
      target(path, broken),
      Buffer.from(` ${version}\r\n`),
      ...headers.map(([n, v]) =>
        Buffer.concat([
          Buffer.from(`${n}: `, 'latin1'),
          Buffer.isBuffer(v) ? v : Buffer.from(v, 'latin1'),
          Buffer.from('\r\n'),
        ]),
      ),
      Buffer.from('\r\n'),
    ]);
    return { bytes: Buffer.concat([head, payload]), label };
  };
}
