import { oneArgument, onlyFlags, unknownAction } from '../args.js';
import type { Command } from '../command.js';
import { findUser } from './find-user.js';

/**
 * `gatehouse mfa reset <username>`: turns a user's second factors off (TOTP, recovery codes,
 * pending sign-ins) for someone who lost their phone and their codes, once the operator has
 * made sure who is asking; audited as `mfa_reset`. The user then signs in with the password and
 * sets TOTP up again (docs/mfa.md).
 */
export const mfaCommand: Command = {
  name: 'mfa',
  summary: "reset a user's second factor (lost authenticator)",
  usage: 'mfa reset <username>',
  flags: {},
  async run(args, { open, print }) {
    const [action, ...rest] = args.positionals;
    if (action !== 'reset') throw unknownAction(action, ['reset']);
    onlyFlags(args, 'mfa reset', []);
    const services = await open();
    const user = await findUser(services, oneArgument(rest, 'username'));
    const had = await services.mfa.reset(user);
    print(
      had
        ? `Reset "${user.username}": no second factor now; they sign in with their password and can set TOTP up again.`
        : `"${user.username}" had no second factor; nothing changed.`,
    );
    return 0;
  },
};
