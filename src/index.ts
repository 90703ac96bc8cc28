/**
 * gatehouse: who is calling? Sessions with CSRF, API tokens, JWT and Basic for HTTP APIs.
 *
 * @example
 * import { createGatehouse, defineConfig, openStores } from 'gatehouse-auth';
 * const config = defineConfig({ secretKey: process.env.GATEHOUSE_SECRET_KEY! });
 * const gh = createGatehouse({ config, stores: await openStores(config) });
 */

export { createGatehouse, type Gatehouse, type GatehouseOptions } from './contract/gatehouse.js';
export {
  buildOpenApi,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiOptions,
} from './contract/openapi.js';
export { Router } from './contract/router.js';
export type { HttpResponse, Route, RouteContext, RouteFactory, Services } from './contract/types.js';
export { type AuditEventName, audit } from './core/audit.js';
export { type Clock, ManualClock, parseDuration, systemClock } from './core/clock.js';
export {
  defineConfig,
  type GatehouseConfig,
  type GatehouseConfigInput,
  isResolvedConfig,
  resolveConfig,
  SCHEMES,
  type SchemeName,
} from './core/config.js';
export type { Context } from './core/context.js';
export { clearCookie, parseCookies, serializeCookie } from './core/cookies.js';
export { checkCredentials } from './core/credentials.js';
export { CSRF_FORM_FIELD, type Csrf, createCsrf, csrfFor } from './core/csrf/csrf.js';
export * from './core/errors.js';
export type { Logger } from './core/logger.js';
export { validatePassword } from './core/password-validators.js';
export {
  allOf,
  allowAny,
  anyOf,
  credentialScopes,
  hasScope,
  isAdmin,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  not,
  type Permission,
} from './core/permissions.js';
export { Pipeline } from './core/pipeline.js';
export { type AuthRequest, type AuthRequestInit, createAuthRequest, isSafeMethod } from './core/request.js';
export type { Authenticator, AuthResult } from './core/scheme.js';
export { changePassword, createUser, deactivateUser, endAllCredentials } from './core/users.js';
export { apiKeyDigest, generateApiKey, parseApiKey } from './crypto/api-keys.js';
export { generateJwk, importKey, JWT_ALGORITHMS, type JwtAlgorithm } from './crypto/jwt/keys.js';
export { createPasswordHasher } from './crypto/passwords/hasher.js';
export type { PasswordHasher, PasswordVerification } from './crypto/passwords/types.js';
export { basicScheme } from './schemes/basic/scheme.js';
export { type JwtCookies, jwtCookies } from './schemes/jwt/cookies.js';
export { bearerToken, jwtScheme } from './schemes/jwt/scheme.js';
export { type JwtTokens, jwtTokens, type TokenPair } from './schemes/jwt/tokens.js';
export { commitSession, SessionHandle, type SessionValue } from './schemes/session/handle.js';
export { sessionScheme } from './schemes/session/scheme.js';
export { issueApiToken, revokeApiToken, rotateApiToken, TokenLimitReached } from './schemes/token/issue.js';
export { type ApiTokenAuth, tokenScheme } from './schemes/token/scheme.js';
export { openAppStores, type StoresFactory } from './server/app-stores.js';
export { StoreUnavailable, UniqueViolation } from './stores/errors.js';
export { createMemoryStores } from './stores/memory/index.js';
export { migrate, openStores } from './stores/open.js';
export type * from './stores/types.js';
