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
  /** Mails not yet delivered or given up, by their job: what a drain that runs out names. */
  const pending = new Map<Promise<boolean>, { kind: string; to: string }>();
  /** Retries waiting out their pause, woken at once by a drain. */
  const sleepers = new Set<() => void>();
  let draining = false;

  const pause = (ms: number): Promise<void> =>
    draining
      ? Promise.resolve()
      : new Promise((done) => {
          const wake = () => {
            clearTimeout(timer);
            sleepers.delete(wake);
            done();
          };
          // A pending retry never holds a process open that is otherwise done.
          const timer = setTimeout(wake, ms);
          timer.unref();
          sleepers.add(wake);
        });

  /** Tries one mail until it goes or the retries run out; true when it was delivered. */
  const attempt = async (message: MailMessage, kind: string): Promise<boolean> => {
    for (let tried = 0; ; tried++) {
      try {
        const where = await transport.deliver({ ...message, from });
        logger.info({ mail: kind, to: message.to, where }, `mail sent through ${transport.description}`);
        return true;
      } catch (err) {
        const last = tried >= retries;
        // The link is a credential: the log names the mail, never its text.
        logger.error(
          { err, mail: kind, to: message.to, attempt: tried + 1 },
          last ? 'mail not sent; giving up' : 'mail not sent; will retry',
        );
        if (last) return false;
        await pause(firstPause * 2 ** tried);
      }
    }
  };

  return {
    transport,
    send(message, kind) {
      const job = attempt(message, kind).finally(() => pending.delete(job));
      pending.set(job, { kind, to: message.to });
    },
    deliverNow: (message) => transport.deliver({ ...message, from }),
    async idle() {
      while (pending.size) await Promise.all(pending.keys());
    },
    async drain(timeoutMs) {
      draining = true;
      for (const wake of [...sleepers]) wake();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((done) => {
        timer = setTimeout(done, timeoutMs, 'late');
      });
      const jobs = [...pending.keys()];
      const outcomes = await Promise.all(jobs.map((job) => Promise.race([job, deadline])));
      clearTimeout(timer);
      let undelivered = 0;
      outcomes.forEach((outcome, i) => {
        if (outcome === true) return;
        undelivered++;
        if (outcome !== 'late') return; // given up: already logged
        const { kind, to } = pending.get(jobs[i]!) ?? { kind: 'unknown', to: 'unknown' };
        logger.error({ mail: kind, to }, 'mail not sent: the server stopped before it was delivered');
      });
      transport.close();
      return undelivered;
    },
  };
}
