import { PermissionDenied } from '../../../src/core/errors.js';
import type { AuthResult } from '../../../src/core/scheme.js';
import type { UserRecord } from '../../../src/stores/types.js';

/**
 * The small app every adapter target serves beside the contract, so the suite can check guards
 * the same way in each framework: a notes list that is public, creating a note that needs a
 * user, an admin page, a route that takes Basic only (per-route schemes), and one that throws.
 */
export const APP_ROUTES = {
  notes: '/notes',
  admin: '/admin',
  basicOnly: '/basic-only',
  tokenOnly: '/token-only',
  /** requireAuth(hasScope('notes:write')) */
  scoped: '/scoped',
  /** requireAuth(isAuthenticated, ['session']): counts visits in the session bag. */
  visits: '/visits',
  boom: '/boom',
  /** Throws a plain Error: a bug in the app, which must be logged with its stack. */
  crash: '/crash',
} as const;

/** The body each app answers for GET /notes and the guarded routes. */
export function whoBody(
  user: UserRecord | null,
  scheme: string | null,
): { user: string | null; scheme: string | null } {
  return { user: user?.username ?? null, scheme };
}

/** Counts a visit in the session bag, which the adapter must save after the handler. */
export function visit(auth: AuthResult | null): { visits: number } {
  if (auth?.scheme !== 'session') throw new Error('/visits takes sessions only');
  const session = auth.auth;
  const visits = (session.get<number>('visits') ?? 0) + 1;
  session.set('visits', visits);
  return { visits };
}

/** What /boom throws: the app's error handler must answer it in DRF's shape. */
export function boom(): never {
  throw new PermissionDenied('Not your note.', 'not_owner');
}

/** What /crash throws: not a gatehouse error, so a 500 that reveals nothing, logged with its stack. */
export function crash(): never {
  throw new Error('the notes table is on fire');
}
