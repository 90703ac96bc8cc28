/**
 * One catalogue of the errors gatehouse answers with. Each carries an HTTP status, a stable
 * machine `code` and a human `detail`; the wire body is DRF's `{"detail", "code"}`. The default
 * messages are DRF's and simplejwt's own, because clients written for them match on them.
 */
export class GatehouseError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, detail: string, headers: Record<string, string> = {}) {
    // An answer to a client, not a bug: its stack is never read, and capturing one cost ~4 µs on
    // every refused request (bots, expired tokens).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail);
    Error.stackTraceLimit = limit;
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  get detail(): string {
    return this.message;
  }

  /** The JSON body sent to the client. */
  body(): Record<string, unknown> {
    return { detail: this.message, code: this.code };
  }
}

/** 401: the request carried credentials for a scheme and they are wrong. */
export class AuthenticationFailed extends GatehouseError {
  constructor(detail = 'Incorrect authentication credentials.', code = 'authentication_failed') {
    super(401, code, detail);
  }
}

/** 401: no credentials at all, on a route that needs them. */
export class NotAuthenticated extends GatehouseError {
  constructor(detail = 'Authentication credentials were not provided.', code = 'not_authenticated') {
    super(401, code, detail);
  }
}

/** 403: authenticated (or not), but not allowed. */
export class PermissionDenied extends GatehouseError {
  constructor(detail = 'You do not have permission to perform this action.', code = 'permission_denied') {
    super(403, code, detail);
  }
}

/** 403 for a CSRF failure, with the reason as its code (csrf_origin, csrf_missing, csrf_mismatch). */
export class CsrfFailed extends PermissionDenied {
  constructor(reason: string, code: 'csrf_origin' | 'csrf_missing' | 'csrf_mismatch' | 'csrf_referer') {
    super(`CSRF Failed: ${reason}`, code);
  }
}

/** 401 with simplejwt's wording for any JWT that does not verify (simplejwt's InvalidToken). */
export class TokenNotValid extends AuthenticationFailed {
  readonly messages: Array<Record<string, string>> | undefined;
  constructor(detail = 'Token is invalid or expired', messages?: Array<Record<string, string>>) {
    super(detail, 'token_not_valid');
    this.messages = messages;
  }
  override body(): Record<string, unknown> {
    return this.messages ? { detail: this.message, code: this.code, messages: this.messages } : super.body();
  }
}

/** 429 with DRF's wording and a Retry-After header. */
export class Throttled extends GatehouseError {
  readonly wait: number;
  constructor(waitSeconds: number) {
    const wait = Math.max(1, Math.ceil(waitSeconds));
    super(
      429,
      'throttled',
      `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.`,
      {
        'retry-after': String(wait),
      },
    );
    this.wait = wait;
  }
}

/** 503: a store is unreachable; the request is refused (fail closed). */
export class ServiceUnavailable extends GatehouseError {
  constructor(detail = 'Service temporarily unavailable, try again later.', code = 'service_unavailable') {
    super(503, code, detail);
  }
}

/** 404 with DRF's wording. */
export class NotFound extends GatehouseError {
  constructor(detail = 'Not found.') {
    super(404, 'not_found', detail);
  }
}

/** 405 with DRF's wording. */
export class MethodNotAllowed extends GatehouseError {
  constructor(method: string) {
    super(405, 'method_not_allowed', `Method "${method}" not allowed.`);
  }
}

/** 400 for a body that is not the JSON it claims to be. */
export class ParseError extends GatehouseError {
  constructor(detail = 'Malformed request.') {
    super(400, 'parse_error', detail);
  }
}

/** 400 for a request path that does not decode (a broken percent-escape such as `%zz`). */
export class MalformedUrl extends GatehouseError {
  constructor() {
    super(400, 'malformed_url', 'Malformed request URL: every "%" must start a valid percent-escape.');
  }
}

/** 414 for a path segment longer than the router accepts (Fastify's maxParamLength). */
export class UriTooLong extends GatehouseError {
  constructor() {
    super(414, 'uri_too_long', 'Request URL has a path segment longer than the server accepts.');
  }
}

/** 413 for a body over the limit. */
export class PayloadTooLarge extends GatehouseError {
  constructor(limit: number) {
    super(413, 'payload_too_large', `Request body is larger than the limit of ${limit} bytes.`);
  }
}

/** 415 for a body that is not JSON (or a form, where a route accepts one). */
export class UnsupportedMediaType extends GatehouseError {
  constructor(type: string) {
    super(415, 'unsupported_media_type', `Unsupported media type "${type}" in request.`);
  }
}

/**
 * 400 with DRF's field-error body: `{"<field>": ["This field is required."]}` or
 * `{"non_field_errors": ["…"]}`. `detail` is a summary for logs only.
 */
export class ValidationError extends GatehouseError {
  readonly fields: Record<string, string[]>;
  constructor(fields: Record<string, string[]>) {
    const first = Object.entries(fields)[0];
    super(400, 'invalid', first ? `${first[0]}: ${first[1].join(' ')}` : 'Invalid input.');
    this.fields = fields;
  }
  override body(): Record<string, unknown> {
    return this.fields;
  }
}

/** 409 for a unique value that is taken (username on register). */
export class Conflict extends GatehouseError {
  constructor(detail: string, code = 'conflict') {
    super(409, code, detail);
  }
}

/** 403 when the user already holds `tokens.maxPerUser` live tokens (knox's wording). */
export class TokenLimitReached extends PermissionDenied {
  constructor(limit: number) {
    super(
      `Maximum amount of tokens allowed per user exceeded (${limit}). Revoke one to create another.`,
      'token_limit_reached',
    );
  }
}

/**
 * 403 at sign-in when `email.requireVerified` is on and the user has not followed a verification
 * link yet; only said after the right password, so it tells a stranger nothing.
 */
export class EmailNotVerified extends PermissionDenied {
  constructor() {
    super(
      'Your email address is not verified. Follow the link in the verification mail, or ask for a new one at /api/auth/email/verify/resend/.',
      'email_not_verified',
    );
  }
}

/** The WWW-Authenticate of the two-step sign-in's 401s: what the client must send next. */
const MFA_CHALLENGE = 'MFA realm="api"';

/**
 * 401 after a right password for a user with a second factor: nothing is issued yet. The client
 * posts `{mfa_token, code}` to the same route (docs/mfa.md). Not an AuthenticationFailed, so no
 * route turns it into a 403 or gives it another scheme's challenge.
 */
export class MfaRequired extends GatehouseError {
  static readonly CHALLENGE = MFA_CHALLENGE;
  readonly mfaToken: string;
  readonly methods: readonly string[];
  constructor(mfaToken: string, methods: readonly string[]) {
    super(401, 'mfa_required', 'A second factor is required: post the mfa_token with a code to this route.', {
      'www-authenticate': MFA_CHALLENGE,
    });
    this.mfaToken = mfaToken;
    this.methods = methods;
  }
  override body(): Record<string, unknown> {
    return { detail: this.message, code: this.code, mfa_token: this.mfaToken, methods: [...this.methods] };
  }
}

/**
 * 401 on the second step: a wrong code (`mfa_failed`, with a fresh `mfa_token` to try again, so
 * a typo does not cost the password) or an unknown, used or expired token (`mfa_token_invalid`:
 * sign in with the password again).
 */
export class MfaFailed extends GatehouseError {
  readonly mfaToken: string | null;
  constructor(code: 'mfa_failed' | 'mfa_token_invalid', mfaToken: string | null = null) {
    super(
      401,
      code,
      code === 'mfa_failed'
        ? 'The code is not valid: send a current code from the authenticator app, or an unused recovery code.'
        : 'The mfa_token is not valid (used, expired or unknown): sign in with the password again.',
      { 'www-authenticate': MFA_CHALLENGE },
    );
    this.mfaToken = mfaToken;
  }
  override body(): Record<string, unknown> {
    return this.mfaToken === null ? super.body() : { ...super.body(), mfa_token: this.mfaToken };
  }
}

/**
 * 403 on a sensitive action (password change, second-factor changes, API-token creation) when the
 * caller's credential was not obtained with the password (and second factor) recently enough.
 */
/**
 * A passkey ceremony refused (docs/mfa.md): `passkey_invalid` (the response does not verify: an
 * unknown, spent or expired challenge, another origin, an unknown credential, a bad signature)
 * or `passkey_cloned` (the sign counter did not advance: a copied authenticator).
 */
export class PasskeyFailed extends GatehouseError {
  constructor(code: 'passkey_invalid' | 'passkey_cloned', detail: string) {
    super(400, code, detail);
  }
}

export class ReauthenticationRequired extends PermissionDenied {
  constructor(seconds: number) {
    super(
      `This action needs a recent sign-in: sign in again with your password (and second factor) and retry within ${seconds} seconds. API tokens never count as recent.`,
      'reauthentication_required',
    );
  }
}

// The errors below are not answers to a client: they are thrown by the lower layers (stores,
// crypto) and at start-up, and carry a stable `code` so callers match on it (or on the class),
// never on a message or an `err.name` string. They live here, in a module that imports nothing,
// so that every layer may throw them.

/** One thing wrong with a config: the dotted key (`jwt.signingKey`; '' for none) and what is wrong. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

const CONFIG_HEADING = 'invalid gatehouse config';

/**
 * Thrown at start-up for a config that does not validate; names the key and what is accepted.
 * Built from its issues, so `message` and `issues` always agree: under the heading
 * `invalid gatehouse config:` a line per issue (`  jwt.signingKey: expected a private key`); with
 * the heading `null`, for a problem outside the config's keys (a config file that cannot be
 * read, a driver that is not installed), the issues' own lines. A plain string is one issue with
 * no key and no heading.
 *
 * @example
 * throw new ConfigError([{ path: 'tokens.keyword', message: 'expected an HTTP auth-scheme name' }]);
 * // err.message === 'invalid gatehouse config:\n  tokens.keyword: expected an HTTP auth-scheme name'
 */
export class ConfigError extends Error {
  readonly code = 'invalid_config';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: string | readonly ConfigIssue[], heading: string | null = CONFIG_HEADING) {
    const list = typeof issues === 'string' ? [{ path: '', message: issues }] : issues;
    const title = typeof issues === 'string' ? null : heading;
    const lines = list.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    super(title === null ? lines.join('\n') : `${title}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = list;
  }
}

/**
 * A store cannot reach its backend. Stores know nothing of HTTP; the contract answers 503
 * `service_unavailable` (fail closed).
 */
export class StoreUnavailable extends Error {
  readonly code = 'store_unavailable';
  readonly store: string;
  constructor(store: string, cause?: unknown) {
    super(`the ${store} store is unavailable${cause instanceof Error ? `: ${cause.message}` : ''}`);
    this.name = 'StoreUnavailable';
    this.store = store;
    if (cause !== undefined) this.cause = cause;
  }
}

/** A unique value (username, token digest) is already taken. */
export class UniqueViolation extends Error {
  readonly code = 'unique_violation';
  readonly field: string;
  constructor(field: string) {
    super(`${field} is already taken`);
    this.name = 'UniqueViolation';
    this.field = field;
  }
}

/**
 * Refused because every hashing slot is taken and the waiting line is full. The contract
 * answers 503 `service_unavailable`: under a login storm it is better to turn callers away at
 * once than to let argon2 work (≈19 MiB and tens of milliseconds each) pile up without bound.
 *
 * @example
 * try { await hasher.verify(password, row.password); }
 * catch (err) { if (err instanceof HashingBusy) throw new ServiceUnavailable(); throw err; }
 */
export class HashingBusy extends Error {
  readonly code = 'hashing_busy';
  constructor(message = 'Too many password hashes in progress; try again later.') {
    super(message);
    this.name = 'HashingBusy';
  }
}

/**
 * A password longer than `maxLength` given to `hash`. Hashing hostile megabyte inputs is refused
 * up front; the contract reports it as a field error.
 *
 * @example
 * try { await hasher.hash(body.password); } catch (err) { if (err instanceof PasswordTooLong) … }
 */
export class PasswordTooLong extends Error {
  readonly code = 'password_too_long';
  readonly maxLength: number;
  constructor(maxLength: number) {
    super(`Password is longer than the limit of ${maxLength} characters.`);
    this.name = 'PasswordTooLong';
    this.maxLength = maxLength;
  }
}

/** A key that cannot be used with its algorithm; names what is wrong. */
export class JwtKeyError extends Error {
  readonly code = 'invalid_jwt_key';
  constructor(message: string) {
    super(message);
    this.name = 'JwtKeyError';
  }
}
