import { constantTimeEqual } from '../../crypto/random.js';
import { serializeCookie } from '../cookies.js';
import { CsrfFailed } from '../errors.js';
import { type AuthRequest, isSafeMethod } from '../request.js';
import { secureFor } from '../settings/cookie.js';
import type { CsrfSettings } from '../settings/csrf.js';
import { csrfFormatProblem, maskCsrfSecret, newCsrfSecret, readCsrfSecret } from './token.js';

/** The form field a browser form sends the token in (Django's name, so its templates port as is). */
export const CSRF_FORM_FIELD = 'csrfmiddlewaretoken';

/**
 * Django's CSRF protection (CsrfViewMiddleware), for requests a browser sends with ambient
 * credentials (the session cookie, a JWT in a cookie). Built once from the settings.
 */
export interface Csrf {
  /**
   * On an unsafe method: the Origin (or, over HTTPS without one, the Referer) must be this host
   * or a trusted origin, and the submitted token must match the cookie's secret. Throws
   * CsrfFailed (403) with csrf_origin, csrf_referer, csrf_missing or csrf_mismatch.
   */
  enforce(req: AuthRequest): void;
  /** Only the Origin/Referer half of `enforce` (unsafe methods only). */
  enforceOrigin(req: AuthRequest): void;
  /** A masked token for the page, and the Set-Cookie that (re)sets the secret it masks. */
  issue(req: AuthRequest, opts?: { rotate?: boolean }): { token: string; setCookie: string };
}

/**
 * Builds the checker: trusted origins are parsed here, once. `createServices` makes the one the
 * schemes and routes share.
 *
 * @example
 * const csrf = createCsrf(config.csrf);
 * if (!isSafeMethod(req.method)) csrf.enforce(req);
 */
export function createCsrf(settings: CsrfSettings): Csrf {
  const headerKey = settings.headerName.toLowerCase();
  const origins = trustedOrigins(settings.trustedOrigins);

  const checkOrigin = (req: AuthRequest): void => {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!originVerified(origin.toLowerCase(), req, origins)) {
        throw new CsrfFailed(
          `Origin checking failed - ${origin} does not match any trusted origins.`,
          'csrf_origin',
        );
      }
    } else if (req.secure) {
      // Without Origin, only HTTPS gives a Referer an attacker on the network cannot forge.
      checkReferer(req, settings, origins.hosts);
    }
  };

  const checkToken = (req: AuthRequest): void => {
    const cookie = req.cookies[settings.cookieName];
    if (cookie === undefined) throw new CsrfFailed('CSRF cookie not set.', 'csrf_missing');
    const secret = readCsrfSecret(cookie);
    if (secret === null) {
      throw new CsrfFailed(`CSRF cookie ${csrfFormatProblem(cookie)}.`, 'csrf_missing');
    }
    // A JSON body fills the form too, so the field may be a list or an object: only a string is a
    // token (anything else is as if absent, as Django's request.POST never holds one).
    const field: unknown = req.method === 'POST' ? req.form?.[CSRF_FORM_FIELD] : undefined;
    let submitted = typeof field === 'string' ? field : '';
    let source = 'POST';
    if (submitted === '') {
      submitted = req.headers[headerKey] ?? '';
      source = `the '${settings.headerName}' HTTP header`;
      if (submitted === '') throw new CsrfFailed('CSRF token missing.', 'csrf_missing');
    }
    const problem = csrfFormatProblem(submitted);
    if (problem !== null) throw new CsrfFailed(`CSRF token from ${source} ${problem}.`, 'csrf_mismatch');
    if (!constantTimeEqual(readCsrfSecret(submitted)!, secret)) {
      throw new CsrfFailed(`CSRF token from ${source} incorrect.`, 'csrf_mismatch');
    }
  };

  return {
    enforce(req) {
      if (isSafeMethod(req.method)) return;
      checkOrigin(req);
      checkToken(req);
    },
    enforceOrigin(req) {
      if (!isSafeMethod(req.method)) checkOrigin(req);
    },
    issue(req, opts = {}) {
      const current = req.cookies[settings.cookieName];
      const existing = opts.rotate || current === undefined ? null : readCsrfSecret(current);
      const secret = existing ?? newCsrfSecret();
      const setCookie = serializeCookie(settings.cookieName, secret, {
        maxAge: settings.cookieAge,
        path: settings.cookiePath,
        domain: settings.cookieDomain ?? undefined,
        secure: secureFor(settings.cookieSecure, req.secure),
        // Readable by the page on purpose: it sends the value back in the header.
        httpOnly: false,
        sameSite: settings.cookieSameSite,
      });
      return { token: maskCsrfSecret(secret), setCookie };
    },
  };
}

interface TrustedOrigins {
  exact: ReadonlySet<string>;
  /** scheme → netlocs (".example.com") whose subdomains are trusted. */
  wildcard: ReadonlyMap<string, readonly string[]>;
  /** Every trusted netloc, for the Referer check (which ignores the scheme). */
  hosts: readonly string[];
}

function trustedOrigins(list: readonly string[]): TrustedOrigins {
  const exact = new Set<string>();
  const wildcard = new Map<string, string[]>();
  const hosts: string[] = [];
  for (const origin of list) {
    const sep = origin.indexOf('://');
    const scheme = origin.slice(0, sep);
    const netloc = origin.slice(sep + 3);
    if (netloc.startsWith('*')) {
      const suffix = netloc.slice(1);
      wildcard.set(scheme, [...(wildcard.get(scheme) ?? []), suffix]);
      hosts.push(suffix);
    } else {
      exact.add(origin);
      hosts.push(netloc);
    }
  }
  return { exact, wildcard, hosts };
}

/** Django's _origin_verified: this host over this scheme, an exact trusted origin, or a wildcard. */
function originVerified(origin: string, req: AuthRequest, trusted: TrustedOrigins): boolean {
  const host = req.headers.host;
  if (host !== undefined && origin === `${req.secure ? 'https' : 'http'}://${host.toLowerCase()}`)
    return true;
  if (trusted.exact.has(origin)) return true;
  const sep = origin.indexOf('://');
  if (sep < 0) return false;
  const suffixes = trusted.wildcard.get(origin.slice(0, sep));
  const netloc = origin.slice(sep + 3);
  return suffixes !== undefined && suffixes.some((s) => isSameDomain(netloc, s));
}

/** Django's _check_referer, for HTTPS requests that carry no Origin. */
function checkReferer(req: AuthRequest, settings: CsrfSettings, trustedHosts: readonly string[]): void {
  const referer = req.headers.referer;
  if (referer === undefined) throw new CsrfFailed('Referer checking failed - no Referer.', 'csrf_referer');
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    throw new CsrfFailed('Referer checking failed - Referer is malformed.', 'csrf_referer');
  }
  if (!url.host) throw new CsrfFailed('Referer checking failed - Referer is malformed.', 'csrf_referer');
  // A page served over plain HTTP could have been rewritten in transit.
  if (url.protocol !== 'https:') {
    throw new CsrfFailed(
      'Referer checking failed - Referer is insecure while host is secure.',
      'csrf_referer',
    );
  }
  const netloc = url.host.toLowerCase();
  if (trustedHosts.some((h) => isSameDomain(netloc, h))) return;
  let good = req.headers.host?.toLowerCase();
  if (settings.cookieDomain !== null) {
    // A configured cookie domain trusts its subdomains, on this request's port.
    const port = hostPort(good ?? '');
    good = settings.cookieDomain.toLowerCase() + (port && port !== '443' && port !== '80' ? `:${port}` : '');
  }
  if (good === undefined || !isSameDomain(netloc, good)) {
    throw new CsrfFailed(
      `Referer checking failed - ${url.href} does not match any trusted origins.`,
      'csrf_referer',
    );
  }
}

function hostPort(host: string): string {
  const m = /:(\d+)$/.exec(host);
  return m ? m[1]! : '';
}

/** Django's is_same_domain: a pattern starting with '.' matches the domain and its subdomains. */
function isSameDomain(host: string, pattern: string): boolean {
  if (!pattern) return false;
  if (pattern.startsWith('.')) return host.endsWith(pattern) || host === pattern.slice(1);
  return host === pattern;
}
