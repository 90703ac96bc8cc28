import { emailRoutes } from './account/email.js';
import { meRoutes } from './account/me.js';
import { passwordRoutes } from './account/password.js';
import { accountRoutes } from './account/register.js';
import { jwtRoutes } from './jwt/routes.js';
import { mfaRoutes } from './mfa/routes.js';
import { passkeyRoutes } from './passkeys/routes.js';
import { sessionRoutes } from './sessions/routes.js';
import { tokenRoutes } from './tokens/routes.js';
import type { RouteFactory } from './types.js';

/** Every module of the HTTP contract, in the order their routes are registered. */
export const CONTRACT: readonly RouteFactory[] = [
  meRoutes,
  accountRoutes,
  passwordRoutes,
  emailRoutes,
  mfaRoutes,
  passkeyRoutes,
  sessionRoutes,
  tokenRoutes,
  jwtRoutes,
];
