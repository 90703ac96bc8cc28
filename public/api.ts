/**
 * The account page's one way to talk to gatehouse: same-origin fetch with the cookies, the CSRF
 * header on unsafe methods, and errors turned into sentences a person can act on.
 */

/** What the page was told at serving time (data attributes on <body>). */
export interface PageConfig {
  signup: boolean;
  csrfCookie: string;
  csrfHeader: string;
  /** Whether the mail flows (reset, verification, email change) are on. */
  mail: boolean;
  /** The paths a mail's links open (email.paths). */
  resetPath: string;
  verifyPath: string;
  /** Whether the server has passkeys on (`mfa.passkeys`). */
  passkeys: boolean;
}

export function pageConfig(): PageConfig {
  const data = document.body.dataset;
  return {
    signup: data.signup === 'true',
    csrfCookie: data.csrfCookie || 'csrftoken',
    csrfHeader: data.csrfHeader || 'X-CSRFToken',
    mail: data.mail === 'true',
    resetPath: data.resetPath || '/reset-password',
    verifyPath: data.verifyPath || '/verify-email',
    passkeys: data.passkeys === 'true',
  };
}

/** DRF's field errors: `{"username": ["This field is required."]}`. */
export type FieldErrors = Record<string, string[]>;

/** A failed request: the HTTP status, the machine code, a message, and any field errors. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrors;
  /** The answer's JSON body, for errors that carry more than a message (`mfa_token`). */
  readonly body: unknown;
  constructor(
    status: number,
    code: string,
    message: string,
    fields: FieldErrors = {},
    body: unknown = undefined,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.body = body;
  }

  /** True when the caller is not (or no longer) signed in. */
  get signedOut(): boolean {
    return (
      this.status === 401 ||
      (this.status === 403 && (this.code === 'not_authenticated' || this.code === 'authentication_failed'))
    );
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** Plain words for the codes a person can do something about; the server's detail otherwise. */
const FRIENDLY: Record<string, string> = {
  csrf_missing: 'The security token is missing. Reload the page and try again.',
  csrf_mismatch:
    'The security token did not match (it changes when you sign in). Reload the page and try again.',
  csrf_origin: 'This request came from another site and was refused.',
  csrf_referer: 'This request came from another site and was refused.',
  not_authenticated: 'You are not signed in.',
  service_unavailable: 'The server cannot reach its database right now. Try again in a moment.',
};

interface Failure {
  code: string;
  message: string;
  fields: FieldErrors;
}

function messageFor(status: number, body: unknown): Failure {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    if (typeof record.detail === 'string') {
      const code = typeof record.code === 'string' ? record.code : String(status);
      return { code, message: FRIENDLY[code] ?? record.detail, fields: {} };
    }
    // DRF field errors: kept per field, so the page can show each one beside its control.
    const fields: FieldErrors = {};
    for (const [field, problems] of Object.entries(record)) {
      fields[field] = Array.isArray(problems) ? problems.map(String) : [String(problems)];
    }
    const lines = Object.entries(fields).map(([field, problems]) =>
      field === 'non_field_errors'
        ? problems.join(' ')
        : `${field.replace(/_/g, ' ')}: ${problems.join(' ')}`,
    );
    if (lines.length) return { code: 'invalid', message: lines.join(' '), fields };
  }
  return { code: String(status), message: `The server answered ${status}.`, fields: {} };
}

/**
 * Calls a gatehouse endpoint and returns its JSON body (undefined for 204). Throws ApiError.
 *
 * @example
 * const me = await api<{ username: string }>('GET', '/api/me/');
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const config = pageConfig();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method)) {
    const token = readCookie(config.csrfCookie);
    if (token) headers[config.csrfHeader] = token;
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and try again.');
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const { code, message, fields } = messageFor(res.status, parsed);
    throw new ApiError(res.status, code, message, fields, parsed);
  }
  return parsed as T;
}
