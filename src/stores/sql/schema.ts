import type { ColumnType, Generated } from 'kysely';

/**
 * Milliseconds since the epoch in a `bigint` column. Written as a number; read back as a number
 * from SQLite and as a string from PostgreSQL (pg does not squeeze int8 into a JS number), so
 * every read goes through `num()` in codec.ts.
 */
export type Millis = ColumnType<number | string, number, number>;
/** A boolean stored as integer 0/1 on every dialect (see codec.ts). */
export type Flag = ColumnType<number, number, number>;
/** A JSON value stored as text (portable; we never query into it). */
export type JsonText = string;

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string;
  password_hash: string;
  is_active: Flag;
  is_admin: Flag;
  date_joined: Millis;
  last_login: Millis | null;
  tokens_valid_after: Millis | null;
  /** Added by 0003 with a default (0), so an insert may leave it out. */
  email_verified: ColumnType<number, number | undefined, number>;
}

export interface SessionsTable {
  id: string;
  digest: string;
  user_id: number;
  created_at: Millis;
  last_seen_at: Millis;
  expires_at: Millis;
  ip: string;
  user_agent: string;
  data: JsonText;
}

export interface ApiTokensTable {
  id: string;
  digest: string;
  user_id: number;
  name: string;
  prefix: string;
  /** JSON array of strings. */
  scopes: JsonText;
  created_at: Millis;
  last_used_at: Millis | null;
  expires_at: Millis | null;
}

export interface JwtOutstandingTable {
  jti: string;
  user_id: number;
  family_id: string;
  issued_at: Millis;
  expires_at: Millis;
  /** Set once, by the one `spend` that wins. */
  spent_at: Millis | null;
  /** The token `rotate` recorded in its place (migration 0002): its jti, issue and expiry. */
  successor_jti: string | null;
  successor_issued_at: Millis | null;
  successor_expires_at: Millis | null;
}

export interface JwtBlacklistTable {
  jti: string;
  blacklisted_at: Millis;
  expires_at: Millis;
}

export interface JwtRevokedFamiliesTable {
  family_id: string;
  revoked_at: Millis;
}

export interface RateLimitsTable {
  key: string;
  hits: number;
  reset_at: Millis;
}

export interface AuditTable {
  id: Generated<number | string>;
  at: Millis;
  event: string;
  user_id: number | null;
  username: string | null;
  ip: string;
  user_agent: string;
  scheme: string | null;
  detail: JsonText;
}

/** Migration 0004 (docs/mfa.md): a user's TOTP, its secret sealed by the caller. */
export interface MfaTotpTable {
  user_id: number;
  secret: string;
  confirmed: Flag;
  created_at: Millis;
}

export interface MfaRecoveryCodesTable {
  user_id: number;
  /** SHA-256 (hex) of the code. */
  digest: string;
  created_at: Millis;
}

export interface MfaUsedStepsTable {
  /** `<user_id>:<step>`: one key, so the insert's conflict is the replay check. */
  key: string;
  user_id: number;
  expires_at: Millis;
}

export interface MfaChallengesTable {
  digest: string;
  user_id: number;
  purpose: string;
  expires_at: Millis;
}

/** Migration 0005 (docs/mfa.md): passkeys. */
export interface MfaPasskeysTable {
  /** The credential id, base64url. */
  id: string;
  user_id: number;
  name: string;
  public_key: string;
  counter: Millis;
  transports: JsonText;
  created_at: Millis;
  last_used_at: Millis | null;
}

/**
 * Every gatehouse table. Names carry a `gatehouse_` prefix because the database is often the
 * application's own, next to its own `users` table.
 */
export interface Database {
  gatehouse_users: UsersTable;
  gatehouse_sessions: SessionsTable;
  gatehouse_api_tokens: ApiTokensTable;
  gatehouse_jwt_outstanding: JwtOutstandingTable;
  gatehouse_jwt_blacklist: JwtBlacklistTable;
  gatehouse_jwt_revoked_families: JwtRevokedFamiliesTable;
  gatehouse_rate_limits: RateLimitsTable;
  gatehouse_audit: AuditTable;
  gatehouse_mfa_totp: MfaTotpTable;
  gatehouse_mfa_recovery_codes: MfaRecoveryCodesTable;
  gatehouse_mfa_used_steps: MfaUsedStepsTable;
  gatehouse_mfa_challenges: MfaChallengesTable;
  gatehouse_mfa_passkeys: MfaPasskeysTable;
}
