import { deactivateUser } from '../../core/users.js';
import { positionals } from '../args.js';
import type { Command } from '../command.js';
import { findUser } from './find-user.js';

/** `gatehouse deactivate <username>`: the user can no longer sign in; live credentials end now. */
export const deactivateCommand: Command = {
  name: 'deactivate',
  summary: 'deactivate a user (every credential stops working at once)',
  usage: 'deactivate <username>',
  flags: {},
  async run(args, { open, print }) {
    const [username] = positionals(args, ['username']);
    const services = await open();
    const user = await findUser(services, username!);
    // A repeat changes nothing and records nothing: the audit trail shows acts, not attempts.
    if (!user.isActive) {
      print(`"${user.username}" is already inactive; nothing changed.`);
      return 0;
    }
    await deactivateUser(services.ctx, user);
    print(`Deactivated "${user.username}".`);
    return 0;
  },
};
