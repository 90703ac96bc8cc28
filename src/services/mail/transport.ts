import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport } from 'nodemailer';
import type { EmailSettings } from '../../core/settings/email.js';
import { randomId } from '../../crypto/random.js';
import type { MailTransport } from './types.js';

/**
 * The transport `email` configures: SMTP when `url` is set, else the outbox folder. With
 * `smtp://` nodemailer upgrades with STARTTLS whenever the server offers it; `smtps://` is TLS
 * from the first byte. Query options pass through (`?tls.servername=…`).
 *
 * @example
 * const transport = createMailTransport(config.email);
 */
export function createMailTransport(settings: EmailSettings): MailTransport {
  return settings.url === undefined ? outboxTransport(settings.outbox) : smtpTransport(settings.url);
}

function smtpTransport(url: string): MailTransport {
  const transport = createTransport(url);
  const parsed = new URL(url);
  return {
    // Never the password: this goes to logs.
    description: `${parsed.protocol}//${parsed.host}`,
    async deliver(message) {
      const info = await transport.sendMail(message);
      return String(info.messageId);
    },
    close: () => transport.close(),
  };
}

/**
 * Development without SMTP: each mail is an `.eml` file (open it in any mail client), built by
 * nodemailer exactly as it would be sent.
 */
function outboxTransport(dir: string): MailTransport {
  const folder = resolve(dir);
  const build = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: folder,
    async deliver(message) {
      const info = await build.sendMail(message);
      await mkdir(folder, { recursive: true });
      // Time first, so a listing reads in sending order.
      const file = join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomId(6)}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      return file;
    },
    close: () => build.close(),
  };
}
