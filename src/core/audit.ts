import type { UserRecord } from '../stores/types.js';
import type { Context } from './context.js';
import type { AuthRequest } from './request.js';
import { MAX_USERNAME_LENGTH } from './username.js';

export type AuditEventName =
  | 'login_succeeded'
  | 'login_failed'
  | 'token_created'
  | 'token_revoked'
  | 'refresh_rotated'
  | 'refresh_reuse_detected'
  | 'refresh_replayed'
  | 'session_revoked'
  | 'logout'
  | 'logout_all'
  | 'password_changed'
  | 'user_created'
  | 'user_deactivated'
  | 'user_activated'
  | 'password_reset_requested'
  | 'password_reset'
  | 'email_verification_sent'
  | 'email_verified'
  | 'email_change_requested'
  | 'email_changed'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'mfa_reset'
  | 'mfa_failed'
  | 'mfa_challenged'
  | 'recovery_code_used'
  | 'recovery_codes_regenerated'
  | 'passkey_added'
  | 'passkey_removed'
  | 'passkey_failed'
  | 'passkey_cloned';

export interface AuditInput {
  user?: Pick<UserRecord, 'id' | 'username'> | null;
  /** For a failed login: the name that was tried. */
  username?: string;
  scheme?: string | null;
  /** Never a password, key or token: ids and reasons only. */
  detail?: Record<string, unknown>;
}

/**
 * Records a security event to the log and the audit store. Never throws: a failed audit write
 * is logged, and does not fail the request that caused it.
 */
export async function audit(
  ctx: Context,
  req: AuthRequest | null,
  event: AuditEventName,
  input: AuditInput = {},
): Promise<void> {
  const record = {
    at: ctx.clock.now(),
    event,
    userId: input.user?.id ?? null,
    // Bounded like the user agent: the endpoints refuse longer names, this keeps any path that
    // did not from writing 64 KB per attempt to the audit trail and the log.
    username: (input.user?.username ?? input.username)?.slice(0, MAX_USERNAME_LENGTH) ?? null,
    ip: req?.ip ?? '',
    userAgent: (req?.headers['user-agent'] ?? '').slice(0, 256),
    scheme: input.scheme ?? null,
    detail: input.detail ?? {},
  };
  ctx.logger.info({ audit: record }, event);
  ctx.metrics?.event(event, record.scheme);
  try {
    await ctx.stores.audit.append(record);
  } catch (err) {
    ctx.logger.error({ err, event }, 'audit write failed');
  }
}
