import { activateUser } from '../../core/users.js';
import { positionals } from '../args.js';
import type { Command } from '../command.js';
import { findUser } from './find-user.js';

/** `gatehouse activate <username>`: undoes `deactivate`; the user signs in afresh. */
export const activateCommand: Command = {
  name: 'activate',
  summary: 'let a deactivated user sign in again',
  usage: 'activate <username>',
  flags: {},
  async run(args, { open, print }) {
    const [username] = positionals(args, ['username']);
    const services = await open();
    const user = await findUser(services, username!);
    // A repeat changes nothing and records nothing: the audit trail shows acts, not attempts.
    if (user.isActive) {
      print(`"${user.username}" is already active; nothing changed.`);
      return 0;
    }
    await activateUser(services.ctx, user);
    print(`Activated "${user.username}": they can sign in again.`);
    return 0;
  },
};
