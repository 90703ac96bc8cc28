import { activateUser } from '../../core/users.js';
import { setActiveCommand } from './set-active.js';

/** `gatehouse activate <username>`: undoes `deactivate`; the user signs in afresh. */
export const activateCommand = setActiveCommand({
  name: 'activate',
  summary: 'let a deactivated user sign in again',
  active: true,
  apply: (ctx, user) => activateUser(ctx, user),
  done: (username) => `Activated "${username}": they can sign in again.`,
});
