/**
 * The store interfaces: async, narrow, one per concern. Times are milliseconds since the epoch
 * and are always passed in by the caller (the store never reads a clock), so tests can move time.
 * Secrets never reach a store: sessions and API keys are handed over as SHA-256 digests (hex).
 * A store that cannot reach its backend throws StoreUnavailable (stores/errors.ts).
 */

export type UserId = number;

export interface UserRecord {
  id: UserId;
  username: string;
  email: string;
  /** PHC string ($argon2id$…) or a Django-format hash awaiting upgrade. '' means no usable password. */
  passwordHash: string;
  isActive: boolean;
  isAdmin: boolean;
  dateJoined: number;
  lastLogin: number | null;
  /**
   * Logout-everywhere: credentials issued before this instant are refused (JWT `iat`, sessions,
   * tokens). Bumped by logout-all, password change and deactivation.
   */
  tokensValidAfter: number | null;
  /**
   * Whether the user proved `email` is theirs (followed a verification link). Absent (an app's
   * own UserStore that does not track it) reads as not verified.
   */
  emailVerified?: boolean;
}

export interface NewUser {
  username: string;
  email?: string;
  passwordHash: string;
  isActive?: boolean;
  isAdmin?: boolean;
  emailVerified?: boolean;
  dateJoined: number;
  /**
   * `email.unique`: refuse (UniqueViolation('email')) when another user has this address,
   * ignoring case, decided in the same step as the insert so two racing sign-ups cannot both
   * have it. A store without that guarantee may ignore it: the caller checks first too.
   */
  uniqueEmail?: boolean;
}

export interface UserStore {
  findById(id: UserId): Promise<UserRecord | null>;
  /** Exact, case-sensitive match (as Django's default). */
  findByUsername(username: string): Promise<UserRecord | null>;
  /** Throws UniqueViolation('username') when taken, UniqueViolation('email') (see `uniqueEmail`). */
  create(user: NewUser): Promise<UserRecord>;
  setPassword(id: UserId, passwordHash: string): Promise<void>;
  setActive(id: UserId, active: boolean): Promise<void>;
  setLastLogin(id: UserId, at: number): Promise<void>;
  setTokensValidAfter(id: UserId, at: number): Promise<void>;
  count(): Promise<number>;
  /**
   * Every user whose email is `email`, ignoring case (Django's `email__iexact`): addresses need
   * not be unique. Optional: without it and `setEmail`, the mail flows (docs/email.md) are off.
   */
  findByEmail?(email: string): Promise<UserRecord[]>;
  /**
   * Sets the address and whether it is verified, together (an email change verifies the new one).
   * With `unique`, throws UniqueViolation('email') when another user has the address, decided in
   * the same step as the write (as `NewUser.uniqueEmail`).
   */
  setEmail?(id: UserId, email: string, verified: boolean, unique?: boolean): Promise<void>;
  /**
   * Up to `limit` addresses (lower-cased) that several users share, with their ids: reported when
   * `email.unique` is on. Optional: without it nothing is reported.
   */
  sharedEmails?(limit: number): Promise<SharedEmail[]>;
  /**
   * One page of users by ascending id, after `afterId` (keyset paging, so an operator's listing
   * never loads the whole table). Optional: an application's own UserStore may not offer it, and
   * then `gatehouse users list` says so.
   */
  list?(page: UserPage): Promise<UserRecord[]>;
}

export interface SharedEmail {
  email: string;
  ids: UserId[];
}

export interface UserPage {
  /** Only users with a greater id; omitted for the first page. */
  afterId?: UserId;
  limit: number;
}

export interface SessionRecord {
  /** Public id, shown in the sessions list and used to revoke; not the secret. */
  id: string;
  /** SHA-256 (hex) of the secret session key sent in the cookie. */
  digest: string;
  userId: UserId;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute expiry. */
  expiresAt: number;
  ip: string;
  userAgent: string;
  /** Small JSON bag for the application. */
  data: Record<string, unknown>;
}

/**
 * A credential row and its user in one read, offered by a store that keeps both tables in one
 * database: each authenticated request then makes one lookup, not two. `users` is the UserStore
 * whose table it reads; a scheme uses it only when that is the `stores.users` in use (an
 * application that brings its own users gets two reads, as it must).
 */
export interface LookupWithUser<R> {
  readonly users: UserStore;
  /** The row with that digest and its user (null when the user is gone); null when no row. */
  findByDigest(digest: string): Promise<{ record: R; user: UserRecord | null } | null>;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  findByDigest(digest: string): Promise<SessionRecord | null>;
  /** The session and its user in one read (optional; see {@link LookupWithUser}). */
  readonly withUser?: LookupWithUser<SessionRecord>;
  touch(digest: string, lastSeenAt: number): Promise<void>;
  saveData(digest: string, data: Record<string, unknown>): Promise<void>;
  /** Returns true when a row was deleted. */
  deleteByDigest(digest: string): Promise<boolean>;
  /** Deletes one of the user's sessions by its public id; false when it is not the user's. */
  deleteById(userId: UserId, id: string): Promise<boolean>;
  /** By public id alone, for the operator (`gatehouse sessions revoke <id>`); never for a request. */
  findByPublicId(id: string): Promise<SessionRecord | null>;
  listForUser(userId: UserId): Promise<SessionRecord[]>;
  /** Deletes every session of the user but the one with `exceptDigest`; returns how many. */
  deleteForUser(userId: UserId, exceptDigest?: string): Promise<number>;
  /** Deletes up to `limit` rows expired at `now`; returns how many (callers loop in batches). */
  deleteExpired(now: number, limit: number): Promise<number>;
}

export interface ApiTokenRecord {
  /** Public id (used in URLs and lists); never the key. */
  id: string;
  /** SHA-256 (hex) of the key. */
  digest: string;
  userId: UserId;
  name: string;
  /** First characters of the key, to recognise it in a list (`gat_Ab3d…`). */
  prefix: string;
  scopes: string[];
  createdAt: number;
  lastUsedAt: number | null;
  /** null: never expires. */
  expiresAt: number | null;
}

export interface ApiTokenStore {
  create(token: ApiTokenRecord): Promise<void>;
  /**
   * Creates the token only if the user holds fewer than `limit` live tokens at `now`, atomically
   * (two concurrent creations cannot both pass the limit). Returns false when over the limit.
   */
  createWithinLimit(token: ApiTokenRecord, limit: number, now: number): Promise<boolean>;
  /**
   * Creates the token, first deleting the user's least recently used live tokens (last use, or
   * creation when never used) until it fits within `limit`, in one atomic step: concurrent
   * creations never leave more than `limit` live tokens. Returns the deleted rows (to audit).
   */
  createRetiringLeastRecent(token: ApiTokenRecord, limit: number, now: number): Promise<ApiTokenRecord[]>;
  findByDigest(digest: string): Promise<ApiTokenRecord | null>;
  /** The token and its user in one read (optional; see {@link LookupWithUser}). */
  readonly withUser?: LookupWithUser<ApiTokenRecord>;
  findById(userId: UserId, id: string): Promise<ApiTokenRecord | null>;
  /** By public id alone, for the operator (`gatehouse token revoke <id>`); never for a request. */
  findByPublicId(id: string): Promise<ApiTokenRecord | null>;
  listForUser(userId: UserId): Promise<ApiTokenRecord[]>;
  /** Writes last used (and, for sliding renewal, a new expiry). */
  touch(digest: string, lastUsedAt: number, expiresAt?: number | null): Promise<void>;
  deleteById(userId: UserId, id: string): Promise<boolean>;
  deleteForUser(userId: UserId): Promise<number>;
  deleteExpired(now: number, limit: number): Promise<number>;
}

export interface OutstandingRefresh {
  jti: string;
  userId: UserId;
  /** Every refresh token descended from one login shares a family; reuse revokes the family. */
  familyId: string;
  issuedAt: number;
  expiresAt: number;
}

/** What spending a refresh token found. */
export type SpendResult =
  /** It was outstanding and is now spent: issue the next one. */
  | { status: 'spent'; token: OutstandingRefresh }
  /** It was spent before: a replay. The caller revokes the family (theft detection). */
  | { status: 'reused'; token: OutstandingRefresh }
  /** Blacklisted, or its family revoked. */
  | { status: 'revoked' }
  /** Never recorded here (e.g. minted by another issuer sharing the key). */
  | { status: 'unknown' };

/**
 * The refresh token that replaces a spent one (rotation): enough to sign it again, identically.
 * Its user and family are the spent token's.
 */
export interface RefreshSuccessor {
  jti: string;
  issuedAt: number;
  expiresAt: number;
}

/** What rotating a refresh token found: `spend`'s answers, plus a replay inside the grace window. */
export type RotateResult =
  /** It was outstanding: it is now spent, and the successor passed in is recorded in its family. */
  | { status: 'spent'; token: OutstandingRefresh }
  /**
   * It was spent less than `graceMs` ago and the successor then recorded is still the live head of
   * the family (not spent, not blacklisted, family not revoked): hand that same successor out again.
   */
  | { status: 'replayed'; token: OutstandingRefresh; successor: OutstandingRefresh }
  /** Spent before, outside the window or with its successor spent: reuse (theft detection). */
  | { status: 'reused'; token: OutstandingRefresh }
  | { status: 'revoked' }
  | { status: 'unknown' };

/**
 * A refresh token's state as `spend` would find it, read without spending it (the verify
 * endpoint asks whether a refresh token can still refresh): not spent yet, spent before,
 * blacklisted or of a revoked family, or never recorded here.
 */
export type RefreshState = 'outstanding' | 'spent' | 'revoked' | 'unknown';

export interface JwtStateStore {
  /** Records a newly issued refresh token. */
  recordOutstanding(token: OutstandingRefresh): Promise<void>;
  /** Atomically marks the token spent: of concurrent callers exactly one gets 'spent'. */
  spend(jti: string, now: number): Promise<SpendResult>;
  /**
   * Rotation in one atomic step: spends `jti` and records `successor` (in the spent token's
   * family, remembered as its successor), or finds it spent less than `graceMs` ago with that
   * successor still the live head and answers `replayed` with it. `graceMs` 0 never replays.
   * Of concurrent callers exactly one gets 'spent'; the others get the same successor.
   *
   * Optional for an app's own store: without it, a refresh spends and records in two steps, and
   * `jwt.reuseGraceSeconds` has no effect (a warning at start-up says so).
   */
  rotate?(jti: string, now: number, successor: RefreshSuccessor, graceMs: number): Promise<RotateResult>;
  /** The token's state, read without changing it; checked in `spend`'s order. */
  refreshState(jti: string): Promise<RefreshState>;
  /** Blacklists one token until its expiry (logout of one refresh token). */
  blacklist(jti: string, expiresAt: number, now: number): Promise<void>;
  isBlacklisted(jti: string): Promise<boolean>;
  revokeFamily(familyId: string, now: number): Promise<void>;
  isFamilyRevoked(familyId: string): Promise<boolean>;
  revokeAllForUser(userId: UserId, now: number): Promise<number>;
  deleteExpired(now: number, limit: number): Promise<number>;
}

export interface RateLimitHit {
  /** Hits in the current window, this one included. */
  count: number;
  /** When the current window ends (ms). */
  resetAt: number;
}

export interface RateLimitStore {
  /** Counts one hit against `key` in a fixed window of `windowMs` starting at its first hit. */
  hit(key: string, windowMs: number, now: number): Promise<RateLimitHit>;
  /** Reads without counting. */
  peek(key: string, now: number): Promise<RateLimitHit | null>;
  reset(key: string): Promise<void>;
  /**
   * Deletes up to `limit` windows that ended at `now`; returns how many (callers loop in batches).
   * Optional: a backend whose keys expire on their own (Redis TTL) has nothing to sweep.
   */
  deleteExpired?(now: number, limit: number): Promise<number>;
}

/** An audit event as stored (issue: hardening). */
export interface AuditEvent {
  at: number;
  event: string;
  userId: UserId | null;
  username: string | null;
  ip: string;
  userAgent: string;
  scheme: string | null;
  detail: Record<string, unknown>;
}

export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  list(filter: { userId?: UserId; since?: number; limit: number }): Promise<AuditEvent[]>;
  /**
   * Deletes up to `limit` events recorded at or before `cutoff` (the `audit.retention` setting,
   * applied by `gatehouse flush-expired`); returns how many went. Optional for an app's own store:
   * without it, flush-expired says the store keeps its events itself.
   */
  deleteBefore?(cutoff: number, limit: number): Promise<number>;
}

/**
 * A user's TOTP authenticator. The secret is sealed by the caller (crypto/secret-box.ts) before
 * it reaches the store, so a stolen database does not hand out second factors.
 */
export interface TotpRecord {
  userId: UserId;
  /** The sealed secret; opaque to the store. */
  secret: string;
  /** False between setup and the first right code: not a second factor yet. */
  confirmed: boolean;
  createdAt: number;
}

/** The pending second step of one sign-in: a single-use `mfa_token`, bound to a user and a route. */
export interface MfaChallengeRecord {
  /** SHA-256 (hex) of the token handed to the client. */
  digest: string;
  userId: UserId;
  /** The route the password was posted to; only that route takes the second step. */
  purpose: string;
  expiresAt: number;
}

/** A passkey (WebAuthn credential) registered for a user (docs/mfa.md). */
export interface PasskeyRecord {
  /** The credential id the authenticator made (base64url): unique across users. */
  id: string;
  userId: UserId;
  /** The user's label for it ("laptop"). */
  name: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's last sign counter: an assertion must carry a higher one (or both 0). */
  counter: number;
  /** The transports the browser reported (usb, internal, hybrid…), a hint for sign-in. */
  transports: string[];
  createdAt: number;
  lastUsedAt: number | null;
}

/** Second factors (docs/mfa.md): TOTP, recovery codes (as digests), spent TOTP steps, pending sign-ins. */
export interface MfaStore {
  getTotp(userId: UserId): Promise<TotpRecord | null>;
  /** Writes the user's TOTP (replacing any, confirmed or not). */
  setTotp(record: TotpRecord): Promise<void>;
  /** Marks an unconfirmed TOTP confirmed; false when there was none to confirm. */
  confirmTotp(userId: UserId): Promise<boolean>;
  /** Replaces the user's recovery codes (SHA-256 digests) with these. */
  replaceRecoveryCodes(userId: UserId, digests: readonly string[], now: number): Promise<void>;
  /** Spends one recovery code, atomically: of concurrent callers one gets true. */
  useRecoveryCode(userId: UserId, digest: string): Promise<boolean>;
  countRecoveryCodes(userId: UserId): Promise<number>;
  /**
   * Records that TOTP step `step` was accepted for the user (kept until `expiresAt`); false when it
   * was already recorded, atomically, so a code is accepted once even on two servers at once.
   */
  useTotpStep(userId: UserId, step: number, expiresAt: number): Promise<boolean>;
  createChallenge(challenge: MfaChallengeRecord): Promise<void>;
  /** Deletes and returns the challenge with that digest, when live at `now`: it is spent once. */
  takeChallenge(digest: string, now: number): Promise<MfaChallengeRecord | null>;
  /** Stores a new passkey; UniqueViolation when its credential id is already registered. */
  addPasskey(record: PasskeyRecord): Promise<void>;
  getPasskey(id: string): Promise<PasskeyRecord | null>;
  /** The user's passkeys, oldest first. */
  listPasskeys(userId: UserId): Promise<PasskeyRecord[]>;
  /**
   * Moves a passkey's sign counter from `expected` to `counter` and records its use, atomically:
   * false when the counter was no longer `expected` (a concurrent or replayed assertion).
   */
  usePasskey(id: string, expected: number, counter: number, now: number): Promise<boolean>;
  /** Removes one of the user's passkeys; false when the user has none with that id. */
  deletePasskey(userId: UserId, id: string): Promise<boolean>;
  /** Removes every second factor of the user (disable, operator reset); returns whether TOTP was on. */
  deleteForUser(userId: UserId): Promise<boolean>;
  /** Deletes up to `limit` expired steps and challenges; returns how many. */
  deleteExpired(now: number, limit: number): Promise<number>;
}

/** Every store an instance uses. */
export interface Stores {
  users: UserStore;
  sessions: SessionStore;
  apiTokens: ApiTokenStore;
  jwtState: JwtStateStore;
  rateLimits: RateLimitStore;
  audit: AuditStore;
  mfa: MfaStore;
  /** Checks each backend; resolves to the names of those that are down. */
  health(): Promise<Record<string, 'ok' | 'down'>>;
  close(): Promise<void>;
}
