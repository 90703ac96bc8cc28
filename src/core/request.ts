import { parseCookies } from './cookies.js';

/**
 * What a scheme sees of a request: framework-neutral, made once per request by an adapter.
 * Header names are lower-cased; a repeated header is joined with ", " (as node:http does).
 */
export interface AuthRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
  /** Path only, without the query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Parsed lazily from the Cookie header. */
  readonly cookies: Readonly<Record<string, string>>;
  /** The client's address (after trustProxy, when the adapter applies it). */
  readonly ip: string;
  /** True when the request arrived over HTTPS (directly or through a trusted proxy). */
  readonly secure: boolean;
  /**
   * The fields of a form-encoded body, when the route accepts forms (Django's request.POST), so
   * CSRF can read `csrfmiddlewaretoken`. Set by the HTTP layer before authentication.
   */
  form?: Readonly<Record<string, string>>;
}

export interface AuthRequestInit {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  ip?: string | undefined;
  secure?: boolean | undefined;
  /**
   * The headers are already lower-cased with single string values (node:http's own object):
   * used as they are, without a copy, on the hot path.
   */
  normalised?: boolean | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** True for the methods RFC 9110 calls safe: they are exempt from CSRF checks. */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

/**
 * Builds an AuthRequest from a framework's request parts.
 *
 * @example
 * const req = createAuthRequest({ method: 'GET', url: '/api/me/', headers: { authorization: 'Token gat_…' } });
 */
export function createAuthRequest(init: AuthRequestInit): AuthRequest {
  return new NodeAuthRequest(init);
}

/**
 * A class, not an object literal with a `cookies` getter: a literal with an accessor gets a
 * hidden class of its own each time it is made, which makes every later read of a request's
 * fields megamorphic.
 */
class NodeAuthRequest implements AuthRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly ip: string;
  readonly secure: boolean;
  form: Readonly<Record<string, string>> | undefined = undefined;
  #cookies: Record<string, string> | undefined = undefined;

  constructor(init: AuthRequestInit) {
    this.method = init.method.toUpperCase();
    this.url = init.url;
    const q = init.url.indexOf('?');
    this.path = q < 0 ? init.url : init.url.slice(0, q);
    this.headers = init.normalised
      ? (init.headers as Record<string, string | undefined>)
      : normaliseHeaders(init.headers);
    this.ip = init.ip ?? '';
    this.secure = init.secure ?? false;
  }

  get cookies(): Readonly<Record<string, string>> {
    if (!this.#cookies) this.#cookies = parseCookies(this.headers.cookie);
    return this.#cookies;
  }
}

function normaliseHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key in raw) {
    const v = raw[key];
    out[key.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
