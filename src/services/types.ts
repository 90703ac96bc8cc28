import type { SchemeName } from '../core/config.js';
import type { Context } from '../core/context.js';
import type { Pipeline } from '../core/pipeline.js';
import type { Authenticator } from '../core/scheme.js';
import type { SchemeServices } from '../schemes/index.js';
import type { EmailFlows } from './mail/flows.js';
import type { MailTemplates } from './mail/templates.js';
import type { Mailer } from './mail/types.js';
import type { GatehouseMetrics } from './metrics/registry.js';
import type { Passkeys } from './mfa/passkeys.js';
import type { Mfa } from './mfa/service.js';
import type { SignIn } from './sign-in.js';

/**
 * Every service of one gatehouse, built once by `createServices` (see docs/architecture.md):
 * route factories, adapters and the CLI read them here instead of building their own.
 */
export interface Services extends SchemeServices {
  /** Config, clock, stores, password hasher and logger. */
  readonly ctx: Context;
  /** The one password sign-in every login route goes through. */
  readonly signIn: SignIn;
  /** Second factors: TOTP, recovery codes, the two-step sign-in's tokens (docs/mfa.md). */
  readonly mfa: Mfa;
  /** Passkeys (WebAuthn), when `mfa.passkeys` is configured; else null and their routes are absent. */
  readonly passkeys: Passkeys | null;
  /** Sends mail off the request path (SMTP or the development outbox). */
  readonly mailer: Mailer;
  /** The mails' wording, the defaults with an app's overrides. */
  readonly mailTemplates: MailTemplates;
  /** Password reset, email verification and email change (docs/email.md). */
  readonly emailFlows: EmailFlows;
  /** Every configured scheme by name (only those in config.authentication). */
  readonly schemes: Readonly<Partial<Record<SchemeName, Authenticator>>>;
  /** The pipeline over the configured schemes in their configured order. */
  readonly pipeline: Pipeline;
  /** A pipeline over some schemes in that order (per-route authentication), made once per list. */
  pipelineFor(schemes?: readonly SchemeName[]): Pipeline;
  /** The Prometheus metrics (docs/metrics.md) when `metrics.enabled`, else null. */
  readonly metrics: GatehouseMetrics | null;
}
