import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { expect } from 'vitest';

/** One mail the test server accepted, parsed. */
export interface Delivered {
  readonly to: string[];
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Whether the session had been upgraded to TLS (STARTTLS) when the mail was sent. */
  readonly secure: boolean;
  /** The user the client authenticated as, if it did. */
  readonly user: string | null;
}

export interface TestSmtp {
  /** `smtp://user:pass@127.0.0.1:<port>/?tls.rejectUnauthorized=false` (its certificate is self-signed). */
  readonly url: string;
  readonly inbox: Delivered[];
  /** Polls until a mail to `to` has arrived (and `more` holds), and returns the latest. */
  waitFor(to: string, more?: (m: Delivered) => boolean): Promise<Delivered>;
  /** Mails to `to` so far. */
  to(to: string): Delivered[];
  /** The next `n` deliveries are refused with a 451 (a temporary failure). */
  failNext(n: number): void;
  /** Deliveries wait until `release()` (a slow server); returns the release. */
  stall(): () => void;
  close(): Promise<void>;
}

export const SMTP_USER = 'mailer';
export const SMTP_PASS = 'mailer-secret';

/**
 * A real SMTP server on loopback (the `smtp-server` package) on an ephemeral port: it offers
 * STARTTLS with its built-in certificate and takes AUTH only over TLS, so a mail that arrives
 * proves the client upgraded.
 *
 * @example
 * const smtp = await startSmtp();
 * const mail = await smtp.waitFor('ann@example.com');
 */
export async function startSmtp(): Promise<TestSmtp> {
  const inbox: Delivered[] = [];
  let failures = 0;
  let stalled: Promise<void> | null = null;
  const server = new SMTPServer({
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, done) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASS) done(null, { user: auth.username });
      else done(new Error('Invalid username or password'));
    },
    onData(stream, session, done) {
      simpleParser(stream).then(
        async (parsed: ParsedMail) => {
          if (stalled) await stalled;
          if (failures > 0) {
            failures--;
            const err = new Error('Try again later') as Error & { responseCode: number };
            err.responseCode = 451;
            done(err);
            return;
          }
          inbox.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : null,
          });
          done();
        },
        (err: Error) => done(err),
      );
    },
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const port = (server.server.address() as AddressInfo).port;
  const to = (address: string) => inbox.filter((m) => m.to.includes(address));
  return {
    url: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${port}/?tls.rejectUnauthorized=false`,
    inbox,
    to,
    async waitFor(address, more = () => true) {
      await expect
        .poll(() => to(address).filter(more).length, { timeout: 20_000, interval: 25 })
        .toBeGreaterThan(0);
      return to(address).filter(more).at(-1)!;
    },
    failNext(n) {
      failures = n;
    },
    stall() {
      let release!: () => void;
      stalled = new Promise<void>((r) => {
        release = r;
      });
      return () => {
        stalled = null;
        release();
      };
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** The one link in a mail's text, and its `uid` and `token`. */
export function linkIn(mail: Pick<Delivered, 'text'>): { url: URL; uid: string; token: string } {
  const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
  expect(links).toHaveLength(1);
  const url = new URL(links[0]!);
  return { url, uid: url.searchParams.get('uid') ?? '', token: url.searchParams.get('token') ?? '' };
}
