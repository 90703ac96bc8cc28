/**
 * The part of a key that Redis Cluster hashes to pick its slot: a script may only touch keys of
 * one slot, so every key a concern's scripts touch together carries the same hash tag. Sessions
 * (a session, its public id, its user's set, the expiry index) share `{sessions}`; refresh-token
 * state (tokens, families, the blacklist, their indexes) shares `{jwt}`. A rate-limit window is
 * one key per script call and carries no tag, so windows spread over the whole cluster.
 * docs/deployment.md explains the layout and what it means for a cluster.
 */
export type TaggedConcern = 'sessions' | 'jwt';

/**
 * The start of every key of `concern` under `prefix`, ending in ':' (KEYS[1] of its scripts, which
 * build the related keys from it and by which a cluster client routes the script).
 *
 * @example
 * taggedBase('gatehouse:', 'jwt'); // 'gatehouse:{jwt}:'
 */
export function taggedBase(prefix: string, concern: TaggedConcern): string {
  return `${prefix}{${concern}}:`;
}
