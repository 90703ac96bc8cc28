import { z } from 'zod';
import { UniqueViolation } from '../stores/errors.js';
import type { UserRecord } from '../stores/types.js';
import { audit } from './audit.js';
import type { Context } from './context.js';
import { ValidationError } from './errors.js';
import { validatePassword } from './password-validators.js';
import type { AuthRequest } from './request.js';
import { normalizeUsername, usernameInputProblem } from './username.js';

/** Django's UnicodeUsernameValidator. */
const USERNAME = /^[\p{L}\p{N}@.+\-_]+$/u;
/** Django's EmailField length; the address rule is zod's, as the register route's body uses. */
const MAX_EMAIL_LENGTH = 254;
const EMAIL = z.email();

/**
 * What is wrong with an email address, in Django's words, or null when it is acceptable ('' means
 * none). Every way of creating a user (the register route, the CLI, an app's own code) applies it.
 *
 * @example
 * emailProblem('notanemail'); // 'Enter a valid email address.'
 */
export function emailProblem(email: string): string | null {
  if (email === '') return null;
  if (email.length > MAX_EMAIL_LENGTH)
    return `Ensure this field has no more than ${MAX_EMAIL_LENGTH} characters.`;
  return EMAIL.safeParse(email).success ? null : 'Enter a valid email address.';
}

/**
 * An address as stored: trimmed, its domain lower-cased (Django's normalize_email; the local part
 * is the mail server's business, so it keeps its case).
 *
 * @example
 * normalizeEmail(' Ann@Example.COM '); // 'Ann@example.com'
 */
export function normalizeEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  return at < 0 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

export interface CreateUserInput {
  username: string;
  password: string | null;
  email?: string;
  isAdmin?: boolean;
  /** The address is known to be the user's (an operator's `createuser --verified`). */
  emailVerified?: boolean;
}

/**
 * Creates a user after Django's checks: a valid username, the password validators, a unique
 * name. The username is NFKC normalised first (`ａｄｍｉｎ` is `admin`). Field errors come back
 * as DRF's 400 body. `password: null` makes an unusable password.
 */
export async function createUser(ctx: Context, given: CreateUserInput, req: AuthRequest | null = null) {
  // Stored NFKC normalised, as Django's create_user does, so look-alikes collide with the original.
  const input = {
    ...given,
    username: normalizeUsername(given.username),
    email: normalizeEmail(given.email ?? ''),
  };
  const errors: Record<string, string[]> = {};
  const usernameProblem = usernameInputProblem(input.username);
  if (usernameProblem !== null) errors.username = [usernameProblem];
  else if (!USERNAME.test(input.username)) {
    errors.username = [
      'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
    ];
  }
  const badEmail = emailProblem(input.email ?? '');
  if (badEmail !== null) errors.email = [badEmail];
  if (input.password !== null) {
    const problems = validatePassword(
      input.password,
      { username: input.username, email: input.email ?? '' },
      ctx.config.passwords.validators,
    );
    if (problems.length) errors.password = problems;
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  if (await ctx.stores.users.findByUsername(input.username)) throw usernameTaken();
  if (await emailTaken(ctx, input.email)) throw emailTakenError();
  const passwordHash = input.password === null ? '' : await ctx.passwords.hash(input.password);
  try {
    const user = await ctx.stores.users.create({
      username: input.username,
      email: input.email ?? '',
      passwordHash,
      isAdmin: input.isAdmin ?? false,
      emailVerified: input.email !== '' && input.emailVerified === true,
      dateJoined: ctx.clock.now(),
      uniqueEmail: ctx.config.email.unique,
    });
    await audit(ctx, req, 'user_created', { user });
    return user;
  } catch (err) {
    // Taken by a sign-up that raced this one past the checks above.
    if (err instanceof UniqueViolation) throw err.field === 'email' ? emailTakenError() : usernameTaken();
    throw err;
  }
}

/** allauth's (and dj-rest-auth's) wording for an address another account has. */
export const EMAIL_TAKEN = 'A user is already registered with this e-mail address.';

/** The refusal of an address another user has, as a field error. */
export const emailTakenError = (): ValidationError => new ValidationError({ email: [EMAIL_TAKEN] });

/**
 * Whether `email.unique` is on and another user than `exceptId` has `email` (ignoring case).
 * Checked before the write for a clear answer; the store decides again in the write itself
 * (`NewUser.uniqueEmail`, `setEmail`'s `unique`), so two requests racing with one address cannot
 * both get it.
 */
export async function emailTaken(ctx: Context, email: string, exceptId?: number): Promise<boolean> {
  const { users } = ctx.stores;
  if (!ctx.config.email.unique || email === '' || !users.findByEmail) return false;
  return (await users.findByEmail(email)).some((u) => u.id !== exceptId);
}

function usernameTaken(): ValidationError {
  return new ValidationError({ username: ['A user with that username already exists.'] });
}

/**
 * Ends every credential the user holds, now: sessions, API tokens, refresh families, and (by
 * moving `tokensValidAfter`) every access token already issued. `keepSessionDigest` spares the
 * caller's own session (password change).
 */
export async function endAllCredentials(
  ctx: Context,
  user: UserRecord,
  keepSessionDigest?: string,
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.stores.users.setTokensValidAfter(user.id, now);
  user.tokensValidAfter = now;
  await Promise.all([
    ctx.stores.sessions.deleteForUser(user.id, keepSessionDigest),
    ctx.stores.apiTokens.deleteForUser(user.id),
    ctx.stores.jwtState.revokeAllForUser(user.id, now),
  ]);
}

/** Deactivates a user: every credential stops working at the next request. */
export async function deactivateUser(
  ctx: Context,
  user: UserRecord,
  req: AuthRequest | null = null,
): Promise<void> {
  await ctx.stores.users.setActive(user.id, false);
  user.isActive = false;
  await endAllCredentials(ctx, user);
  await audit(ctx, req, 'user_deactivated', { user });
}

/**
 * Lets a deactivated user sign in again. Credentials ended at deactivation stay ended: the user
 * signs in afresh.
 */
export async function activateUser(
  ctx: Context,
  user: UserRecord,
  req: AuthRequest | null = null,
): Promise<void> {
  await ctx.stores.users.setActive(user.id, true);
  user.isActive = true;
  await audit(ctx, req, 'user_activated', { user });
}

/**
 * Sets a new password (after the validators) and ends the user's other credentials (unless
 * `endCredentials` is false: the self-service route follows `passwords.endCredentialsOnChange`).
 */
export async function changePassword(
  ctx: Context,
  user: UserRecord,
  password: string,
  opts: {
    req?: AuthRequest | null;
    /** The scheme the caller used, for the audit trail. */
    scheme?: string;
    keepSessionDigest?: string | undefined;
    endCredentials?: boolean;
  } = {},
): Promise<void> {
  const problems = validatePassword(
    password,
    { username: user.username, email: user.email },
    ctx.config.passwords.validators,
  );
  if (problems.length) throw new ValidationError({ new_password: problems });
  const hash = await ctx.passwords.hash(password);
  await ctx.stores.users.setPassword(user.id, hash);
  user.passwordHash = hash;
  if (opts.endCredentials !== false) await endAllCredentials(ctx, user, opts.keepSessionDigest);
  await audit(ctx, opts.req ?? null, 'password_changed', { user, scheme: opts.scheme ?? null });
}
