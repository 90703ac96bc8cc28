import type { SchemeName } from '../core/config.js';
import type { Context } from '../core/context.js';
import type { Authenticator } from '../core/scheme.js';
import { basicScheme } from './basic/scheme.js';
import { jwtScheme } from './jwt/scheme.js';
import { sessionScheme } from './session/scheme.js';
import { tokenScheme } from './token/scheme.js';

/** Builds one scheme from the context, once, at start-up. */
export type SchemeFactory = (ctx: Context) => Authenticator;

/** Every built-in scheme by its config name. */
export const SCHEME_FACTORIES: Partial<Record<SchemeName, SchemeFactory>> = {
  session: sessionScheme,
  basic: basicScheme,
  token: tokenScheme,
  jwt: jwtScheme,
};
