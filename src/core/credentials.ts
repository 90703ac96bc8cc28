import type { UserRecord } from '../stores/types.js';
import type { Context } from './context.js';
import { normalizeUsername, usernameInputProblem } from './username.js';
import { normalizeEmail } from './users.js';

/**
 * Django's authenticate(): the user whose password matches, or null. An unknown username costs
 * a dummy verify, so timing does not tell which usernames exist. A hash in an older format
 * (a Django import) is upgraded to argon2id on success. Inactive users are returned: the
 * caller decides (each scheme has its own message for them). The username is looked up NFKC
 * normalised (see normalizeUsername).
 */
export async function checkCredentials(
  ctx: Context,
  username: string,
  password: string,
): Promise<UserRecord | null> {
  const name = normalizeUsername(username);
  // A name no user can have (too long, NUL) is not looked up: it costs the dummy verify only.
  const user = usernameInputProblem(name) === null ? await findLoginUser(ctx, name) : null;
  if (!user) {
    await ctx.passwords.dummyVerify(password);
    return null;
  }
  const result = await ctx.passwords.verify(password, user.passwordHash);
  if (!result.ok) return null;
  if (result.needsRehash) await upgradeHash(ctx, user, password);
  return user;
}

/**
 * The user a login name names, by `login.fields`: the username first, then (with `email` listed)
 * a name holding `@` as an address. An address two accounts share names neither: a password
 * must not pick between them.
 */
async function findLoginUser(ctx: Context, name: string): Promise<UserRecord | null> {
  const { fields } = ctx.config.login;
  const users = ctx.stores.users;
  const byName = fields.includes('username') ? await users.findByUsername(name) : null;
  if (byName || !fields.includes('email') || !name.includes('@') || !users.findByEmail) return byName;
  const matches = await users.findByEmail(normalizeEmail(name));
  return matches.length === 1 ? matches[0]! : null;
}

async function upgradeHash(ctx: Context, user: UserRecord, password: string): Promise<void> {
  try {
    const hash = await ctx.passwords.hash(password);
    await ctx.stores.users.setPassword(user.id, hash);
    user.passwordHash = hash;
    ctx.logger.info({ userId: user.id }, 'password hash upgraded to argon2id');
  } catch (err) {
    // The login itself succeeded; the upgrade is retried at the next one.
    ctx.logger.warn({ err, userId: user.id }, 'password hash upgrade failed');
  }
}

/**
 * True when a credential issued at `issuedAt` (ms) predates the user's logout-everywhere
 * instant, so it must be refused.
 */
export function issuedBeforeCutoff(user: UserRecord, issuedAt: number): boolean {
  return user.tokensValidAfter !== null && issuedAt < user.tokensValidAfter;
}
