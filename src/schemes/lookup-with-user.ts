import type { LookupWithUser, UserId, UserRecord, UserStore } from '../stores/types.js';

/** A credential row and its user (null when the user is gone). */
export interface WithUser<R> {
  record: R;
  user: UserRecord | null;
}

/**
 * How a scheme reads a credential by digest together with its user: in one statement when the
 * credential's store offers that for the users store in use (`withUser`, the SQL stores), else
 * the row and then its user. Chosen once, when the scheme is built.
 *
 * @example
 * const lookup = lookupWithUser((d) => stores.apiTokens.findByDigest(d), stores.apiTokens.withUser, stores.users);
 * const found = await lookup(digest);
 */
export function lookupWithUser<R extends { userId: UserId }>(
  find: (digest: string) => Promise<R | null>,
  joined: LookupWithUser<R> | undefined,
  users: UserStore,
): (digest: string) => Promise<WithUser<R> | null> {
  if (joined && joined.users === users) return (digest) => joined.findByDigest(digest);
  return async (digest) => {
    const record = await find(digest);
    if (!record) return null;
    return { record, user: await users.findById(record.userId) };
  };
}
