import type { Logger } from '../../core/logger.js';
import type { Mailer, MailMessage, MailTransport } from './types.js';

export interface MailerOptions {
  readonly transport: MailTransport;
  readonly from: string;
  readonly logger: Logger;
  /** Further tries after a failed delivery. */
  readonly retries: number;
  /** The pause before the first retry; each further one doubles it. */
  readonly retryPauseMs?: number;
}

const pause = (ms: number): Promise<void> =>
  new Promise((done) => {
    // A pending retry never holds a process open that is otherwise done.
    setTimeout(done, ms).unref();
  });

/**
 * The mailer of a gatehouse, built once by the composition root: each mail is delivered in the
 * background, so whether a mail was sent (the address has an account) never shows in a
 * response's status, body or time, and a slow or failing SMTP server never slows a request.
 *
 * @example
 * const mailer = createMailer({ transport: createMailTransport(config.email), from: config.email.from, logger, retries: 3 });
 * mailer.send({ to, subject, text, html }, 'password_reset');
 */
export function createMailer(options: MailerOptions): Mailer {
  const { transport, from, logger, retries } = options;
  const firstPause = options.retryPauseMs ?? 1000;
  const pending = new Set<Promise<void>>();

  const attempt = async (message: MailMessage, kind: string): Promise<void> => {
    for (let tried = 0; ; tried++) {
      try {
        const where = await transport.deliver({ ...message, from });
        logger.info({ mail: kind, to: message.to, where }, `mail sent through ${transport.description}`);
        return;
      } catch (err) {
        const last = tried >= retries;
        // The link is a credential: the log names the mail, never its text.
        logger.error(
          { err, mail: kind, to: message.to, attempt: tried + 1 },
          last ? 'mail not sent; giving up' : 'mail not sent; will retry',
        );
        if (last) return;
        await pause(firstPause * 2 ** tried);
      }
    }
  };

  return {
    transport,
    send(message, kind) {
      const job = attempt(message, kind).finally(() => pending.delete(job));
      pending.add(job);
    },
    deliverNow: (message) => transport.deliver({ ...message, from }),
    async idle() {
      while (pending.size) await Promise.all(pending);
    },
  };
}
