import { audit } from '../../core/audit.js';
import type { Context } from '../../core/context.js';
import {
  checkEmailToken,
  decodeUid,
  type EmailTokenPurpose,
  encodeUid,
  makeEmailToken,
  parseEmailToken,
} from '../../core/email/tokens.js';
import { ConfigError, PermissionDenied, UniqueViolation, ValidationError } from '../../core/errors.js';
import type { AuthRequest } from '../../core/request.js';
import type { Throttle } from '../../core/throttle/throttle.js';
import {
  changePassword,
  emailProblem,
  emailTaken,
  emailTakenError,
  normalizeEmail,
} from '../../core/users.js';
import type { UserRecord, UserStore } from '../../stores/types.js';
import type { MailTemplate, MailTemplates } from './templates.js';
import type { Mailer } from './types.js';

/** The one answer to a link that does not work, whatever the reason (no oracle on which). */
export const BAD_LINK = 'The link is invalid, already used or expired: ask for a new one.';

/** The mail flows of docs/email.md, built once by the composition root. */
export interface EmailFlows {
  /** False when `email.flows` is off or the UserStore cannot look users up by address. */
  readonly enabled: boolean;
  /** Mails a reset link to every active user with that address; silent about whether there is one. */
  requestReset(req: AuthRequest, email: string): Promise<void>;
  /** Sets the new password of a reset link's user and ends every credential they hold. */
  confirmReset(req: AuthRequest, uid: string, token: string, newPassword: string): Promise<UserRecord>;
  /** Mails a verification link to a user who just signed up with an address. */
  sendVerification(req: AuthRequest, user: UserRecord): Promise<void>;
  /** Mails a new verification link to every unverified active user with that address; silent. */
  resendVerification(req: AuthRequest, email: string): Promise<void>;
  /** Follows a verification or email-change link: the address becomes verified (or the new one). */
  verify(req: AuthRequest, uid: string, token: string): Promise<UserRecord>;
  /** Mails a link to `newEmail` that makes it the user's, and a notice to the old address. */
  requestChange(req: AuthRequest, user: UserRecord, newEmail: string): Promise<void>;
}

export interface EmailFlowDeps {
  readonly ctx: Context;
  readonly throttle: Throttle;
  readonly mailer: Mailer;
  readonly templates: MailTemplates;
}

type MailUsers = UserStore & Required<Pick<UserStore, 'findByEmail' | 'setEmail'>>;

const canMail = (users: UserStore): users is MailUsers =>
  typeof users.findByEmail === 'function' && typeof users.setEmail === 'function';

/** "1 hour", "3 days": how long a link works, for the mail's text. */
export function inWords(seconds: number): string {
  const [size, unit] =
    seconds % 86400 === 0
      ? [seconds / 86400, 'day']
      : seconds % 3600 === 0
        ? [seconds / 3600, 'hour']
        : [Math.ceil(seconds / 60), 'minute'];
  return `${size} ${unit}${size === 1 ? '' : 's'}`;
}

/**
 * Builds the flows. An app's own UserStore without `findByEmail` and `setEmail` turns them off
 * (logged), unless mail is configured on purpose (`email.url`): then it is a start-up error.
 *
 * @example
 * const flows = createEmailFlows({ ctx, throttle, mailer, templates: DEFAULT_MAIL_TEMPLATES });
 * await flows.requestReset(req, 'ann@example.com'); // the route answers 202 either way
 */
export function createEmailFlows({ ctx, throttle, mailer, templates }: EmailFlowDeps): EmailFlows {
  const { config, stores, clock } = ctx;
  const settings = config.email;
  const users = stores.users;
  let enabled = settings.flows === true;
  if (enabled && !canMail(users)) {
    if (settings.url !== undefined)
      throw new ConfigError([
        {
          path: 'email',
          message:
            "the mail flows need the UserStore's findByEmail and setEmail: implement them, or set email.flows: false",
        },
      ]);
    ctx.logger.info({}, 'mail flows off: the UserStore has no findByEmail/setEmail (docs/email.md)');
    enabled = false;
  }
  const mailUsers = users as MailUsers;

  const refuseWhenOff = (): void => {
    if (!enabled) throw new PermissionDenied('The email flows are disabled.', 'email_disabled');
  };

  /** The front end's origin: configured, or (development only) the request's own. */
  const linkBase = (req: AuthRequest): string =>
    settings.baseUrl?.replace(/\/$/, '') ??
    `${req.secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;

  const link = (req: AuthRequest, path: string, user: UserRecord, token: string): string =>
    `${linkBase(req)}${path}?${new URLSearchParams({ uid: encodeUid(user.id), token })}`;

  const mail = (
    to: string,
    template: MailTemplate,
    input: Parameters<MailTemplate>[0],
    kind: string,
  ): void => {
    mailer.send({ to, ...template(input) }, kind);
  };

  /**
   * The part every "mail me a link" route shares: the ip's rate (429), the address's quota
   * (quiet), the lookup, then `each` for the matching users; the same work and the same audit
   * record whether or not an account matched, so neither the answer nor its time tells.
   */
  const forAddress = async (
    req: AuthRequest,
    raw: string,
    event: 'password_reset_requested' | 'email_verification_sent',
    wanted: (u: UserRecord) => boolean,
    each: (u: UserRecord, to: string) => void,
  ): Promise<void> => {
    refuseWhenOff();
    const email = normalizeEmail(raw);
    const problem = emailProblem(email);
    if (problem !== null || email === '')
      throw new ValidationError({ email: [problem ?? 'This field may not be blank.'] });
    await throttle.attempt(req, 'email');
    const allowed = await throttle.mailQuota(email);
    const matched = (await mailUsers.findByEmail(email)).filter(wanted);
    if (allowed) for (const user of matched) each(user, user.email);
    await audit(ctx, req, event, {
      user: matched.length === 1 ? matched[0]! : null,
      detail: { matched: matched.length, sent: allowed },
    });
  };

  /** The user a link names whose token is live for `purpose`, or the one 400 every bad link gets. */
  const linkUser = async (
    uid: string,
    token: string,
    purposeOf: (newEmail: string | null) => EmailTokenPurpose,
  ): Promise<{ user: UserRecord; purpose: EmailTokenPurpose; newEmail: string | null }> => {
    refuseWhenOff();
    const id = decodeUid(uid);
    const parsed = parseEmailToken(token);
    const user = id === null || parsed === null ? null : await users.findById(id);
    if (user?.isActive && parsed) {
      const purpose = purposeOf(parsed.newEmail);
      const timeout = purpose === 'reset' ? settings.resetTimeout : settings.verifyTimeout;
      if (checkEmailToken(config, purpose, user, parsed, clock.now(), timeout))
        return { user, purpose, newEmail: parsed.newEmail };
    }
    throw new ValidationError({ token: [BAD_LINK] });
  };

  const verifyMail = (req: AuthRequest, user: UserRecord, to: string): void => {
    const token = makeEmailToken(config, 'verify', user, clock.now());
    const input = {
      username: user.username,
      link: link(req, settings.paths.verify, user, token),
      validFor: inWords(settings.verifyTimeout),
    };
    mail(to, templates.verifyEmail, input, 'verify_email');
  };

  return {
    enabled,

    requestReset: (req, email) =>
      forAddress(
        req,
        email,
        'password_reset_requested',
        // Django's PasswordResetForm.get_users: active, with a usable password.
        (u) => u.isActive && u.passwordHash !== '',
        (user, to) => {
          const token = makeEmailToken(config, 'reset', user, clock.now());
          const input = {
            username: user.username,
            link: link(req, settings.paths.reset, user, token),
            validFor: inWords(settings.resetTimeout),
          };
          mail(to, templates.passwordReset, input, 'password_reset');
        },
      ),

    async confirmReset(req, uid, token, newPassword) {
      const { user } = await linkUser(uid, token, () => 'reset');
      // The validators apply; the password hash changes, so this link (and every other) dies.
      await changePassword(ctx, user, newPassword, { endCredentials: true });
      // The link reached the user at this address: that proves it is theirs, as a verification would.
      if (user.emailVerified !== true) {
        await mailUsers.setEmail(user.id, user.email, true);
        user.emailVerified = true;
      }
      await audit(ctx, req, 'password_reset', { user });
      return user;
    },

    async sendVerification(req, user) {
      if (!enabled || user.email === '' || user.emailVerified) return;
      if (!(await throttle.mailQuota(user.email))) return;
      verifyMail(req, user, user.email);
      await audit(ctx, req, 'email_verification_sent', { user, detail: { matched: 1, sent: true } });
    },

    resendVerification: (req, email) =>
      forAddress(
        req,
        email,
        'email_verification_sent',
        (u) => u.isActive && u.emailVerified !== true,
        (user, to) => verifyMail(req, user, to),
      ),

    async verify(req, uid, token) {
      const { user, purpose, newEmail } = await linkUser(uid, token, (e) =>
        e === null ? 'verify' : 'change',
      );
      const email = purpose === 'change' ? normalizeEmail(newEmail!) : user.email;
      // Said only to whoever holds the link: they proved the address is theirs to ask about.
      const unique = purpose === 'change' && ctx.config.email.unique;
      if (unique && (await emailTaken(ctx, email, user.id))) throw emailTakenError();
      await mailUsers.setEmail(user.id, email, true, unique).catch((err: unknown) => {
        // Taken by another user in the meantime (a racing sign-up or change).
        throw err instanceof UniqueViolation ? emailTakenError() : err;
      });
      const previous = user.email;
      user.email = email;
      user.emailVerified = true;
      if (purpose === 'change')
        await audit(ctx, req, 'email_changed', { user, detail: { previous_verified: previous !== '' } });
      else await audit(ctx, req, 'email_verified', { user });
      return user;
    },

    async requestChange(req, user, raw) {
      refuseWhenOff();
      const email = normalizeEmail(raw);
      const problem = emailProblem(email);
      if (problem !== null || email === '')
        throw new ValidationError({ email: [problem ?? 'This field may not be blank.'] });
      if (email.toLowerCase() === user.email.toLowerCase())
        throw new ValidationError({ email: ['This is already the address of your account.'] });
      await throttle.attempt(req, 'email');
      const allowed = await throttle.mailQuota(email);
      if (allowed) {
        const token = makeEmailToken(config, 'change', user, clock.now(), email);
        const validFor = inWords(settings.verifyTimeout);
        const base = { username: user.username, validFor, newEmail: email };
        mail(
          email,
          templates.changeEmail,
          { ...base, link: link(req, settings.paths.verify, user, token) },
          'change_email',
        );
        if (user.email !== '')
          mail(user.email, templates.changeNotice, { ...base, link: null }, 'change_email_notice');
      }
      await audit(ctx, req, 'email_change_requested', { user, detail: { sent: allowed } });
    },
  };
}
