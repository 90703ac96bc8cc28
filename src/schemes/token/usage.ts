import type { Context } from '../../core/context.js';
import type { ApiTokenRecord } from '../../stores/types.js';

/** Records that a token was used; never throws, never delays the request. */
export type TokenUsageRecorder = (token: ApiTokenRecord, now: number) => void;

/**
 * Whether the token's lifetime is over at `now` (a token without an expiry never ends by time):
 * the one rule the scheme, the token list and rotation apply.
 *
 * @example
 * if (hasExpired(token, clock.now())) throw new AuthenticationFailed('Invalid token.');
 */
export function hasExpired(token: Pick<ApiTokenRecord, 'expiresAt'>, now: number): boolean {
  return token.expiresAt !== null && token.expiresAt <= now;
}

/**
 * The expiry a token slides to when used at `now`: forward by its own lifetime (the window it
 * was created with), never past `maxAgeMs` from its creation, never earlier than it already is.
 * Every renewal writes `lastUsedAt = now` with `expiresAt = now + window`, so the window is read
 * back from the row as `expiresAt - (lastUsedAt ?? createdAt)`: a one-hour token stays a
 * one-hour token however often it is used, without a column of its own.
 *
 * @example
 * renewedExpiry(token, clock.now(), 365 * 86_400_000); // a later expiresAt, or the same one
 */
export function renewedExpiry(token: ApiTokenRecord, now: number, maxAgeMs: number | null): number | null {
  if (token.expiresAt === null) return null;
  const window = token.expiresAt - (token.lastUsedAt ?? token.createdAt);
  let next = now + window;
  if (maxAgeMs !== null) next = Math.min(next, token.createdAt + maxAgeMs);
  return Math.max(next, token.expiresAt);
}

/**
 * Builds the recorder once. `last used` is written at most once per `tokens.lastUsedInterval`
 * per token (a write on every request would turn each read into a write), off the response
 * path: the request does not wait for it, and a failed write is logged, not raised. With
 * `tokens.slidingRenewal` the same write carries the renewed expiry.
 *
 * @example
 * const recordUse = tokenUsageRecorder(ctx);
 * recordUse(token, ctx.clock.now());
 */
export function tokenUsageRecorder(ctx: Context): TokenUsageRecorder {
  const { lastUsedInterval, slidingRenewal, maxAge } = ctx.config.tokens;
  const intervalMs = lastUsedInterval * 1000;
  const maxAgeMs = maxAge === null ? null : maxAge * 1000;
  // Digests with a write under way, so a burst of requests on one token makes one write. It
  // holds only writes in flight, so it stays as small as the concurrency.
  const inFlight = new Set<string>();
  return (token, now) => {
    if (token.lastUsedAt !== null && now - token.lastUsedAt < intervalMs) return;
    if (inFlight.has(token.digest)) return;
    inFlight.add(token.digest);
    const expiresAt = slidingRenewal ? renewedExpiry(token, now, maxAgeMs) : undefined;
    ctx.stores.apiTokens
      .touch(token.digest, now, expiresAt ?? undefined)
      .catch((err: unknown) =>
        ctx.logger.warn({ err, tokenId: token.id }, 'API token last-used write failed'),
      )
      .finally(() => inFlight.delete(token.digest));
  };
}
