import type { ApiTokenRecord } from './types.js';

/** When a token was last of use: its last use, or its creation when never used. */
const lastActive = (t: ApiTokenRecord): number => t.lastUsedAt ?? t.createdAt;

/**
 * The `count` least recently used of `live` (never used counts from creation; ties go to the
 * older, then the smaller id, so every backend picks the same rows): the tokens a creation at the
 * per-user limit retires (`tokens.atLimit: 'retire_oldest'`, docs/tokens.md).
 *
 * @example
 * const retired = leastRecentlyUsed(liveTokens, liveTokens.length - limit + 1);
 */
export function leastRecentlyUsed(live: readonly ApiTokenRecord[], count: number): ApiTokenRecord[] {
  if (count <= 0) return [];
  return [...live]
    .sort(
      (a, b) =>
        lastActive(a) - lastActive(b) ||
        a.createdAt - b.createdAt ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, count);
}
