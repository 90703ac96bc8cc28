import { audit } from '../../core/audit.js';
import type { Context } from '../../core/context.js';
import { TokenLimitReached, ValidationError } from '../../core/errors.js';
import type { AuthRequest } from '../../core/request.js';
import type { TokenAtLimit } from '../../core/settings/tokens.js';
import { apiKeyDigest, apiKeyShownPrefix, generateApiKey } from '../../crypto/api-keys.js';
import { randomId } from '../../crypto/random.js';
import type { ApiTokenRecord, UserRecord } from '../../stores/types.js';
import { hasExpired } from './usage.js';

/** Longest token name kept; a longer one (a User-Agent, say) is cut. */
export const MAX_TOKEN_NAME_LENGTH = 100;
/** A scope, as `hasScope('notes:write')` names it. */
export const SCOPE_PATTERN = /^[A-Za-z0-9._:/-]{1,64}$/;
export const SCOPE_MESSAGE = 'Enter a valid scope: 1 to 64 letters, digits or . : / _ -.';
export const MAX_SCOPES = 32;

export interface IssueTokenOptions {
  /** A label for the device or script; cut to {@link MAX_TOKEN_NAME_LENGTH}. */
  name?: string | undefined;
  /** Seconds until it expires; undefined: `tokens.ttl`; null: never. `tokens.maxAge` caps it. */
  lifetime?: number | null | undefined;
  /** Empty (the default): full access. */
  scopes?: readonly string[] | undefined;
  /** What made it, for the audit log. */
  via: 'obtain' | 'api' | 'cli' | 'rotate';
  req?: AuthRequest | null | undefined;
  /** At `tokens.maxPerUser`: `tokens.atLimit` unless given (rotation always refuses). */
  atLimit?: TokenAtLimit | undefined;
}

/** Why a token was revoked, as its `token_revoked` audit event says. */
export type RevokeReason = 'revoked' | 'rotated' | 'logout' | 'retired_at_limit';

// In the error catalogue, src/core/errors.ts (code `token_limit_reached`).
export { TokenLimitReached };

/** A new token: the key, to show once, and its row (which holds only the digest). */
export interface IssuedToken {
  key: string;
  token: ApiTokenRecord;
}

/**
 * Creates an API token for `user` within the per-user limit (atomically, in the store; at the
 * limit, `tokens.atLimit` retires the least recently used one or refuses) and audits it. Only the key's digest is stored: the returned key is the only copy.
 *
 * @example
 * const { key, token } = await issueApiToken(ctx, user, { name: 'laptop', scopes: ['notes:read'], via: 'api' });
 */
export async function issueApiToken(
  ctx: Context,
  user: UserRecord,
  opts: IssueTokenOptions,
  /** Rotation replaces a live token, so it may go one over the limit until the old one is gone. */
  extraSlots = 0,
): Promise<IssuedToken> {
  const { prefix, maxPerUser } = ctx.config.tokens;
  const scopes = [...new Set(opts.scopes ?? [])];
  if (scopes.length > MAX_SCOPES || !scopes.every((s) => SCOPE_PATTERN.test(s))) {
    throw new ValidationError({
      scopes: [
        scopes.length > MAX_SCOPES
          ? `Ensure this field has no more than ${MAX_SCOPES} elements.`
          : SCOPE_MESSAGE,
      ],
    });
  }
  const now = ctx.clock.now();
  const key = generateApiKey(prefix);
  const token: ApiTokenRecord = {
    id: randomId(12),
    digest: apiKeyDigest(key),
    userId: user.id,
    name: (opts.name ?? 'unnamed').slice(0, MAX_TOKEN_NAME_LENGTH),
    prefix: apiKeyShownPrefix(key),
    scopes,
    createdAt: now,
    lastUsedAt: null,
    expiresAt: expiryFor(ctx, now, opts.lifetime),
  };
  // Rotation replaces a token, it never makes room by ending another device's.
  const atLimit = opts.via === 'rotate' ? 'refuse' : (opts.atLimit ?? ctx.config.tokens.atLimit);
  const retired = await storeWithinLimit(ctx, token, maxPerUser, extraSlots, atLimit);
  for (const old of retired) {
    await audit(ctx, opts.req ?? null, 'token_revoked', {
      user,
      scheme: 'token',
      detail: { tokenId: old.id, name: old.name, reason: 'retired_at_limit', replacedBy: token.id },
    });
  }
  await audit(ctx, opts.req ?? null, 'token_created', {
    user,
    scheme: 'token',
    detail: { tokenId: token.id, name: token.name, scopes: token.scopes, via: opts.via },
  });
  return { key, token };
}

/**
 * Stores a new token within `tokens.maxPerUser` (plus `extraSlots`), atomically in the store:
 * retiring the least recently used live tokens, or refusing with 403 `token_limit_reached`.
 * Returns the tokens retired.
 */
async function storeWithinLimit(
  ctx: Context,
  token: ApiTokenRecord,
  maxPerUser: number | null,
  extraSlots: number,
  atLimit: TokenAtLimit,
): Promise<ApiTokenRecord[]> {
  const store = ctx.stores.apiTokens;
  if (maxPerUser === null) {
    await store.create(token);
    return [];
  }
  const limit = maxPerUser + extraSlots;
  if (atLimit === 'retire_oldest') return store.createRetiringLeastRecent(token, limit, token.createdAt);
  if (!(await store.createWithinLimit(token, limit, token.createdAt)))
    throw new TokenLimitReached(maxPerUser);
  return [];
}

/** The expiry (ms) of a token made at `now`: its lifetime, capped by `tokens.maxAge`. */
function expiryFor(ctx: Context, now: number, lifetime: number | null | undefined): number | null {
  const { ttl, maxAge } = ctx.config.tokens;
  const seconds = lifetime === undefined ? ttl : lifetime;
  const capped = maxAge === null ? seconds : seconds === null ? maxAge : Math.min(seconds, maxAge);
  return capped === null ? null : now + capped * 1000;
}

/**
 * Revokes one of the user's tokens by id; false when there is no such token of theirs (another
 * user's id is not found either, so ids cannot be probed).
 *
 * @example
 * if (!(await revokeApiToken(ctx, user, id))) throw new NotFound();
 */
export async function revokeApiToken(
  ctx: Context,
  user: UserRecord,
  id: string,
  req: AuthRequest | null = null,
  reason: RevokeReason = 'revoked',
): Promise<boolean> {
  const deleted = await ctx.stores.apiTokens.deleteById(user.id, id);
  if (deleted) {
    await audit(ctx, req, 'token_revoked', { user, scheme: 'token', detail: { tokenId: id, reason } });
  }
  return deleted;
}

/**
 * Replaces one of the user's tokens with a new key of the same name and scopes and a fresh
 * lifetime; the old key stops working now. Null when the token is not the user's.
 *
 * @example
 * const rotated = await rotateApiToken(ctx, user, id, { req });
 */
export async function rotateApiToken(
  ctx: Context,
  user: UserRecord,
  id: string,
  opts: {
    lifetime?: number | null | undefined;
    req?: AuthRequest | null | undefined;
    /**
     * Runs once the new token is stored, before the old one is revoked; when it throws, the
     * rotation is undone and the error goes on (the caller's own credential ended meanwhile).
     */
    confirm?: () => Promise<void>;
  } = {},
): Promise<IssuedToken | null> {
  const old = await ctx.stores.apiTokens.findById(user.id, id);
  if (!old) return null;
  const live = !hasExpired(old, ctx.clock.now());
  const issued = await issueApiToken(
    ctx,
    user,
    { name: old.name, scopes: old.scopes, lifetime: opts.lifetime, via: 'rotate', req: opts.req },
    live ? 1 : 0,
  );
  try {
    await opts.confirm?.();
  } catch (err) {
    await ctx.stores.apiTokens.deleteById(user.id, issued.token.id);
    throw err;
  }
  if (!(await revokeApiToken(ctx, user, old.id, opts.req ?? null, 'rotated'))) {
    // Revoked by someone else meanwhile: rotation must not bring it back under a new key.
    await ctx.stores.apiTokens.deleteById(user.id, issued.token.id);
    return null;
  }
  return issued;
}
