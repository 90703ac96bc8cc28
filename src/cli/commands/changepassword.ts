import { changePassword } from '../../core/users.js';
import { positionals } from '../args.js';
import type { Command } from '../command.js';
import { readNewPassword } from '../prompt.js';
import { findUser } from './find-user.js';

/** `gatehouse changepassword <username>`: sets a password and ends the user's credentials. */
export const changepasswordCommand: Command = {
  name: 'changepassword',
  summary: "set a user's password (ends their sessions, tokens and refresh tokens)",
  usage: 'changepassword <username> [--password-stdin]',
  flags: {
    'password-stdin': {
      type: 'boolean',
      description: 'read the password from standard input (default: prompt twice on a terminal)',
    },
  },
  async run(args, { io, open, print }) {
    const [username] = positionals(args, ['username']);
    const services = await open();
    const user = await findUser(services, username!);
    const password = await readNewPassword(io, args.flags['password-stdin'] === true);
    await changePassword(services.ctx, user, password);
    print(`Password changed for "${user.username}"; their other credentials have ended.`);
    return 0;
  },
};
