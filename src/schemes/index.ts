import type { SchemeName } from '../core/config.js';
import type { Context } from '../core/context.js';
import type { Csrf } from '../core/csrf/csrf.js';
import type { Authenticator } from '../core/scheme.js';
import type { Throttle } from '../core/throttle/throttle.js';
import { basicScheme } from './basic/scheme.js';
import type { JwtCookies } from './jwt/cookies.js';
import { jwtScheme } from './jwt/scheme.js';
import type { JwtTokens } from './jwt/tokens.js';
import { sessionScheme } from './session/scheme.js';
import type { SessionService } from './session/service.js';
import { tokenScheme } from './token/scheme.js';

/** The services a scheme may be built on; `createServices` makes each once and passes them here. */
export interface SchemeServices {
  readonly csrf: Csrf;
  readonly throttle: Throttle;
  readonly sessions: SessionService;
  /** Null unless `jwt` is a configured scheme. */
  readonly jwt: JwtTokens | null;
  readonly jwtCookies: JwtCookies | null;
}

/** Builds one scheme from the context and the shared services, once, at start-up. */
export type SchemeFactory = (ctx: Context, services: SchemeServices) => Authenticator;

/** Every built-in scheme by its config name. */
export const SCHEME_FACTORIES: Partial<Record<SchemeName, SchemeFactory>> = {
  session: (ctx, { sessions, csrf }) => sessionScheme(ctx, { sessions, csrf }),
  basic: (ctx, { throttle }) => basicScheme(ctx, { throttle }),
  token: (ctx) => tokenScheme(ctx),
  jwt: (ctx, { jwt, jwtCookies, csrf }) => {
    // createServices builds the JWT service whenever jwt is configured; this is its invariant.
    if (!jwt) throw new Error('the jwt scheme needs the JWT service: build it with createServices');
    return jwtScheme(ctx, { tokens: jwt, cookies: jwtCookies, csrf });
  },
};
