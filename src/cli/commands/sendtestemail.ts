import { emailProblem } from '../../core/users.js';
import { positionals } from '../args.js';
import { type Command, CommandFailed, UsageError } from '../command.js';

/**
 * `gatehouse sendtestemail <address>`: Django's command of the same name. Sends one mail through
 * the configured transport now, not in the background, so a wrong host, port, password or TLS
 * setting shows here with the server's own words instead of in a user's missing reset mail.
 */
export const sendtestemailCommand: Command = {
  name: 'sendtestemail',
  summary: 'send a test mail through the configured transport (email.url, or the outbox)',
  usage: 'sendtestemail <address>',
  flags: {},
  async run(args, { open, print }) {
    const [address] = positionals(args, ['address']);
    const problem = emailProblem(address!);
    if (problem !== null || address === '')
      throw new UsageError(`<address>: ${problem ?? 'required'} Got ${JSON.stringify(address)}.`);
    const { mailer, mailTemplates } = await open();
    const mail = mailTemplates.test({ username: '', link: null, validFor: '' });
    try {
      const where = await mailer.deliverNow({ to: address!, ...mail });
      print(`Sent a test mail to ${address} through ${mailer.transport.description} (${where}).`);
      return 0;
    } catch (err) {
      throw new CommandFailed(
        `could not send through ${mailer.transport.description}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  },
};
