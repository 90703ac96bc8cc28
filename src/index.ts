/**
 * gatehouse: who is calling? Sessions with CSRF, API tokens, JWT and Basic for HTTP APIs.
 *
 * The root export is the documented API (README.md and docs/); the framework adapters are
 * `gatehouse-auth/fastify`, `/express` and `/hono`, and what tests and benchmarks need to build a
 * gatehouse by hand (a manual clock, memory stores, users) is `gatehouse-auth/testing`.
 *
 * @example
 * import { createGatehouse, defineConfig, openStores } from 'gatehouse-auth';
 * const config = defineConfig({ secretKey: process.env.GATEHOUSE_SECRET_KEY! });
 * const gh = createGatehouse({ config, stores: await openStores(config) });
 */

// Building a gatehouse: config, stores, the instance and its services.
export { createGatehouse, type Gatehouse, type GatehouseOptions } from './contract/gatehouse.js';
export {
  buildOpenApi,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiOptions,
} from './contract/openapi.js';
export type { HttpResponse, Route, RouteContext, RouteFactory } from './contract/types.js';
export type { AuditEventName } from './core/audit.js';
export type { Clock } from './core/clock.js';
export {
  defineConfig,
  type GatehouseConfig,
  type GatehouseConfigInput,
  resolveConfig,
  type SchemeName,
} from './core/config.js';
export type { Context } from './core/context.js';
export type { Csrf } from './core/csrf/csrf.js';
// The error catalogue, flat (`PermissionDenied`) and as a namespace (`errors.PermissionDenied`).
export * from './core/errors.js';
export * as errors from './core/errors.js';
export type { Logger } from './core/logger.js';
export type { Pipeline } from './core/pipeline.js';
export type { AuthRequest, AuthRequestInit } from './core/request.js';
export type {
  Authenticator,
  AuthResult,
  AuthResultOf,
  CredentialScheme,
  CredentialTypes,
} from './core/scheme.js';
// JWT signing keys: the rotation policy `gatehouse keys` runs, for applications to call (docs/jwt.md).
export { type KeysFile, readKeysFile, type StoredKey, writeKeysFile } from './crypto/jwt/jwks-file.js';
export type { JwtAlgorithm } from './crypto/jwt/keys.js';
export type { PasswordHasher, PasswordVerification } from './crypto/passwords/types.js';
// Node's own refusals (a malformed request line) in DRF's shape: server.on('clientError', …).
export { clientErrorHandler } from './edge/client-errors.js';
// DRF's permissions, for requireAuth() in every adapter.
export * from './edge/permissions.js';
export type { JwtCookies } from './schemes/jwt/cookies.js';
export {
  type AddedKey,
  addSigningKey,
  type Rotation,
  retirementDelayMs,
  rotateSigningKey,
} from './schemes/jwt/key-rotation.js';
export type { JwtTokens, TokenPair } from './schemes/jwt/tokens.js';
export type { SessionHandle, SessionValue } from './schemes/session/handle.js';
export type { ApiTokenAuth } from './schemes/token/scheme.js';
export { openAppStores, type StoresFactory } from './server/app-stores.js';
export { createServices, type ServicesOptions } from './services/create.js';
// Mail: the flows' service, the mailer an app may replace, and the templates it may override (docs/email.md).
export type { EmailFlows } from './services/mail/flows.js';
export {
  DEFAULT_MAIL_TEMPLATES,
  type MailTemplate,
  type MailTemplateInput,
  type MailTemplates,
  type RenderedMail,
} from './services/mail/templates.js';
export type { Mailer, MailMessage, MailTransport } from './services/mail/types.js';
// Prometheus metrics an app serves itself (docs/metrics.md).
export { gatehouseMetrics } from './services/metrics/of.js';
export type { GatehouseMetrics } from './services/metrics/registry.js';
export type { Passkeys, PasskeyView } from './services/mfa/passkeys.js';
// Second factors: the service on Services.mfa (docs/mfa.md).
export type { Mfa, MfaStatus, TotpSetup } from './services/mfa/service.js';
export type { Services } from './services/types.js';
export { openStores } from './stores/open.js';
export type * from './stores/types.js';
