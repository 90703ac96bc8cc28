import { z } from 'zod';
import { duration } from './duration.js';

/** A path of the app's front end that a mail's link points at (`/reset-password`). */
const linkPath = z
  .string()
  .regex(/^\/[^?#]*$/, { message: 'expected a path starting with "/", without query' });

/**
 * Mail and the flows that send it (password reset, email verification, email change); see
 * docs/email.md. Without `url`, a development server writes each mail to the `outbox` folder;
 * in production a transport is required as soon as a flow is on.
 *
 * @example
 * defineConfig({ secretKey, email: { url: 'smtp://user:pass@mail.example.com:587', from: 'Example <no-reply@example.com>', baseUrl: 'https://app.example.com' } });
 */
export const emailSettings = z
  .object({
    /**
     * `smtp://user:pass@host:587` (upgraded with STARTTLS whenever the server offers it) or
     * `smtps://…:465` (TLS from the first byte). Unset: the outbox folder (development only).
     */
    url: z
      .string()
      .regex(/^smtps?:\/\/[^/]/, { message: 'expected "smtp://user:pass@host:587" or "smtps://…"' })
      .optional(),
    /** The From of every mail (Django's DEFAULT_FROM_EMAIL). */
    from: z.string().min(3).default('webmaster@localhost'),
    /** Where mails go without `url` in development: one `.eml` file each. */
    outbox: z.string().min(1).default('.gatehouse/outbox'),
    /**
     * Whether the mail flows (reset, verification, change) are on. Default: on when `url` is set
     * or in development; in production, on needs `url`.
     */
    flows: z.boolean().optional(),
    /**
     * The origin of the links in mails (`https://app.example.com`): the front end that shows the
     * reset and verification pages. Required in production; in development, the request's own.
     */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** The front-end paths the links point at; `?uid=…&token=…` is appended. */
    paths: z
      .object({ reset: linkPath.default('/reset-password'), verify: linkPath.default('/verify-email') })
      .strict()
      .default({ reset: '/reset-password', verify: '/verify-email' }),
    /** How long a reset link works (Django's PASSWORD_RESET_TIMEOUT, shorter). */
    resetTimeout: duration.default(3600),
    /** How long a verification or email-change link works. */
    verifyTimeout: duration.default(3 * 86400),
    /**
     * An address belongs to one user at most (ignoring case): sign-up, `createuser` and an email
     * change refuse one another user has. Addresses shared before it was on stay shared, and
     * `gatehouse migrate` and `serve` name them.
     */
    unique: z.boolean().default(true),
    /** Refuse sign-in (403 `email_not_verified`) until the user's address is verified. */
    requireVerified: z.boolean().default(false),
    /** Further tries of a mail whose send failed (logged each time), with a growing pause. */
    retries: z.number().int().min(0).max(10).default(3),
    /**
     * At shutdown, how long mails still queued may take: retries go at once, and a mail not
     * delivered by then is logged as not sent (docs/email.md).
     */
    drainTimeout: duration.default(10),
  })
  .strict();

export type EmailSettings = z.output<typeof emailSettings>;
