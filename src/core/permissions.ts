import type { AuthRequest } from './request.js';
import { isSafeMethod } from './request.js';
import type { AuthResult } from './scheme.js';

/**
 * A permission (DRF's BasePermission): decides from the request and who is calling. Compose
 * with `allOf`, `anyOf` and `not`.
 */
export interface Permission {
  has(req: AuthRequest, auth: AuthResult | null): boolean | Promise<boolean>;
  /** The 403 detail when denied to an authenticated caller. */
  readonly message?: string;
  readonly code?: string;
}

/** Anyone, authenticated or not. */
export const allowAny: Permission = { has: () => true };

/** Any authenticated, active user. */
export const isAuthenticated: Permission = { has: (_req, auth) => auth !== null && auth.user.isActive };

/** Staff users only (Django's is_staff). */
export const isAdmin: Permission = {
  has: (_req, auth) => auth !== null && auth.user.isActive && auth.user.isAdmin,
};

/** Reads for anyone, writes for authenticated users. */
export const isAuthenticatedOrReadOnly: Permission = {
  has: (req, auth) => isSafeMethod(req.method) || (auth !== null && auth.user.isActive),
};

/** Passes when every permission passes; the first denial's message is used. */
export function allOf(...perms: Permission[]): Permission {
  return {
    async has(req, auth) {
      for (const p of perms) if (!(await p.has(req, auth))) return false;
      return true;
    },
    message: perms.find((p) => p.message)?.message,
    code: perms.find((p) => p.code)?.code,
  };
}

/** Passes when any permission passes. */
export function anyOf(...perms: Permission[]): Permission {
  return {
    async has(req, auth) {
      for (const p of perms) if (await p.has(req, auth)) return true;
      return false;
    },
  };
}

/** Inverts a permission. */
export function not(perm: Permission): Permission {
  return { has: async (req, auth) => !(await perm.has(req, auth)) };
}

/**
 * The scopes that restrict the caller's credential, or null when it is unrestricted: the scheme
 * that answered sets them (an API token made with scopes); a token without scopes, a session,
 * a JWT or a password acts with the user's full rights.
 */
export function credentialScopes(auth: AuthResult): readonly string[] | null {
  return auth.scopes && auth.scopes.length > 0 ? auth.scopes : null;
}

/**
 * An authenticated, active user whose credential allows `scope`: an API token made with scopes
 * must list it; a token without scopes (and a session, JWT or Basic login) has full access.
 *
 * @example
 * app.post('/notes', { preHandler: requireAuth(hasScope('notes:write')) }, handler);
 */
export function hasScope(scope: string): Permission {
  return {
    has: (_req, auth) => {
      if (auth === null || !auth.user.isActive) return false;
      const scopes = credentialScopes(auth);
      return scopes === null || scopes.includes(scope);
    },
    message: `This token does not have the "${scope}" scope.`,
    code: 'insufficient_scope',
  };
}

/** The scope that lets an API token made with scopes manage its account (docs/tokens.md). */
export const ACCOUNT_SCOPE = 'account';

/**
 * An authenticated, active user whose credential may manage the account: list and end sessions
 * and tokens, log out everywhere, change the password. A session, a JWT, Basic and a token
 * without scopes act with the user's full rights; a token made with scopes needs the `account`
 * scope, so a key handed to a deploy job cannot sign the owner out everywhere or read their
 * devices. Every account-management route uses this one rule.
 *
 * @example
 * app.delete('/api/account/', { preHandler: requireAuth(canManageAccount) }, deleteAccount);
 */
export const canManageAccount: Permission = {
  has: hasScope(ACCOUNT_SCOPE).has,
  message: `This token cannot manage the account: that needs a token without scopes or with the "${ACCOUNT_SCOPE}" scope.`,
  code: 'insufficient_scope',
};
