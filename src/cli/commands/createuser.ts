import { createUser, emailProblem } from '../../core/users.js';
import { positionals, stringFlag } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { readNewPassword } from '../prompt.js';

/** `gatehouse createuser <username>`: Django's createsuperuser/createuser in one. */
export const createuserCommand: Command = {
  name: 'createuser',
  summary: 'create a user (the password validators apply)',
  usage: 'createuser <username> [--admin] [--email <email> [--verified]] [--password-stdin]',
  flags: {
    admin: { type: 'boolean', description: 'make the user staff (isAdmin; default: not staff)' },
    email: { type: 'string', value: 'email', description: "the user's email address", default: 'none' },
    verified: {
      type: 'boolean',
      description: 'the address is known to be theirs: mark it verified (default: unverified)',
    },
    'password-stdin': {
      type: 'boolean',
      description: 'read the password from standard input (default: prompt twice on a terminal)',
    },
  },
  async run(args, { io, open, print }) {
    const [username] = positionals(args, ['username']);
    const email = stringFlag(args, 'email') ?? '';
    // The same rule createUser applies, checked before the password is asked for.
    const problem = emailProblem(email);
    if (problem !== null) throw new UsageError(`--email: ${problem} Got ${JSON.stringify(email)}.`);
    const verified = args.flags.verified === true;
    if (verified && email === '')
      throw new UsageError('--verified needs --email <email>: there is no address to verify.');
    const services = await open();
    const password = await readNewPassword(io, args.flags['password-stdin'] === true);
    const user = await createUser(services.ctx, {
      username: username!,
      password,
      email,
      isAdmin: args.flags.admin === true,
      emailVerified: verified,
    });
    print(`Created user "${user.username}" (id ${user.id}${user.isAdmin ? ', admin' : ''}).`);
    return 0;
  },
};
