import { describe, expect, it } from 'vitest';
import type { Logger } from '../../core/logger.js';
import { createMailer } from './mailer.js';
import type { MailTransport } from './types.js';

/** A logger that keeps what it is given, to read back. */
function recordingLogger() {
  const lines: Array<{ level: string; obj: object; msg: string | undefined }> = [];
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj, msg });
  const logger: Logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
  return { logger, lines };
}

/** A transport whose deliveries fail until `failures` of them have. */
function flakyTransport(failures: number) {
  const attempts: string[] = [];
  const transport: MailTransport = {
    description: 'test transport',
    async deliver(message) {
      attempts.push(message.to);
      if (attempts.length <= failures) throw new Error('421 service not available');
      return `<${attempts.length}@test>`;
    },
    close() {},
  };
  return { transport, attempts };
}

const MAIL = { to: 'ann@example.com', subject: 'Reset', text: 'https://app/reset?token=SECRET', html: '' };

describe('mailer', () => {
  it('returns at once and delivers in the background, retrying a failure', async () => {
    const { transport, attempts } = flakyTransport(2);
    const { logger, lines } = recordingLogger();
    const mailer = createMailer({ transport, from: 'x@example.com', logger, retries: 3, retryPauseMs: 1 });
    mailer.send(MAIL, 'password_reset');
    expect(attempts).toHaveLength(1);
    await mailer.idle();
    expect(attempts).toHaveLength(3);
    expect(lines.map((l) => l.level)).toEqual(['error', 'error', 'info']);
  });

  it('gives up after the configured retries, logging each failure but never the mail’s text', async () => {
    const { transport, attempts } = flakyTransport(100);
    const { logger, lines } = recordingLogger();
    const mailer = createMailer({ transport, from: 'x@example.com', logger, retries: 2, retryPauseMs: 1 });
    mailer.send(MAIL, 'password_reset');
    await mailer.idle();
    expect(attempts).toHaveLength(3);
    expect(lines.at(-1)?.msg).toBe('mail not sent; giving up');
    expect(
      JSON.stringify(lines.map((l) => ({ ...l.obj, err: String((l.obj as { err?: unknown }).err) }))),
    ).not.toContain('SECRET');
  });

  it('deliverNow reports the failure to its caller', async () => {
    const { transport } = flakyTransport(1);
    const mailer = createMailer({
      transport,
      from: 'x@example.com',
      logger: recordingLogger().logger,
      retries: 0,
    });
    await expect(mailer.deliverNow(MAIL)).rejects.toThrow('421');
    await expect(mailer.deliverNow(MAIL)).resolves.toBe('<2@test>');
  });

  it('drain sends a mail waiting out a retry pause at once, then closes the transport', async () => {
    const { transport, attempts } = flakyTransport(1);
    let closed = 0;
    transport.close = () => void closed++;
    const { logger } = recordingLogger();
    // An hour's pause: only the drain can make the retry happen within this test.
    const mailer = createMailer({
      transport,
      from: 'x@example.com',
      logger,
      retries: 3,
      retryPauseMs: 3_600_000,
    });
    mailer.send(MAIL, 'password_reset');
    await Promise.resolve();
    expect(attempts).toHaveLength(1);
    expect(await mailer.drain(5_000)).toBe(0);
    expect(attempts).toHaveLength(2);
    expect(closed).toBe(1);
  });

  it('drain gives up at its deadline and names each mail not sent (never its text)', async () => {
    const { logger, lines } = recordingLogger();
    const transport: MailTransport = {
      description: 'a server that never answers',
      deliver: () => new Promise<string>(() => {}),
      close() {},
    };
    const mailer = createMailer({ transport, from: 'x@example.com', logger, retries: 3 });
    mailer.send(MAIL, 'password_reset');
    expect(await mailer.drain(20)).toBe(1);
    expect(lines).toEqual([
      {
        level: 'error',
        obj: { mail: 'password_reset', to: 'ann@example.com' },
        msg: 'mail not sent: the server stopped before it was delivered',
      },
    ]);
  });
});
