import { accountRoutes } from './account.js';
import { jwtRoutes } from './jwt.js';
import { meRoutes } from './me.js';
import { passwordRoutes } from './password.js';
import { sessionRoutes } from './sessions.js';
import { tokenRoutes } from './tokens.js';
import type { RouteFactory } from './types.js';

/** Every module of the HTTP contract, in the order their routes are registered. */
export const CONTRACT: readonly RouteFactory[] = [
  meRoutes,
  accountRoutes,
  passwordRoutes,
  sessionRoutes,
  tokenRoutes,
  jwtRoutes,
];
