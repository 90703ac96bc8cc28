import { createUser } from '../../core/users.js';
import { positionals, stringFlag } from '../args.js';
import type { Command } from '../command.js';
import { readNewPassword } from '../prompt.js';

/** `gatehouse createuser <username>`: Django's createsuperuser/createuser in one. */
export const createuserCommand: Command = {
  name: 'createuser',
  summary: 'create a user (the password validators apply)',
  usage: 'createuser <username> [--admin] [--email <email>] [--password-stdin]',
  flags: {
    admin: { type: 'boolean', description: 'make the user staff (isAdmin)' },
    email: { type: 'string', description: "the user's email address" },
    'password-stdin': { type: 'boolean', description: 'read the password from standard input' },
  },
  async run(args, { io, open, print }) {
    const [username] = positionals(args, ['username']);
    const gh = await open();
    const password = await readNewPassword(io, args.flags['password-stdin'] === true);
    const user = await createUser(gh.ctx, {
      username: username!,
      password,
      email: stringFlag(args, 'email') ?? '',
      isAdmin: args.flags.admin === true,
    });
    print(`Created user "${user.username}" (id ${user.id}${user.isAdmin ? ', admin' : ''}).`);
    return 0;
  },
};
