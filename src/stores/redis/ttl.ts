/**
 * How long Redis keeps a record that is already expired when it is written, and how far behind
 * `now` the write-time cleanup of the expiry indexes stays. Expiry itself is decided by the
 * caller comparing `expiresAt` with its clock on every use (as with every backend); the Redis TTL
 * only collects the garbage. A floor keeps such a record visible to the caller's own checks and
 * to `deleteExpired` (which then counts it) for a moment, instead of dropping it unseen.
 */
export const KEEP_EXPIRED_MS = 60_000;

/**
 * The TTL of a record that expires at `expiresAt`, written at `now` (both from the caller's clock,
 * so a test clock works): the remaining lifetime, at least {@link KEEP_EXPIRED_MS}.
 *
 * @example
 * ttlMs(session.expiresAt, session.createdAt); // 1_209_600_000 for a two-week session
 */
export function ttlMs(expiresAt: number, now: number): number {
  return Math.max(Math.ceil(expiresAt - now), KEEP_EXPIRED_MS);
}
