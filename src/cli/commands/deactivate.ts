import { deactivateUser } from '../../core/users.js';
import { setActiveCommand } from './set-active.js';

/** `gatehouse deactivate <username>`: the user can no longer sign in; live credentials end now. */
export const deactivateCommand = setActiveCommand({
  name: 'deactivate',
  summary: 'deactivate a user (every credential stops working at once)',
  active: false,
  apply: (ctx, user) => deactivateUser(ctx, user),
  done: (username) => `Deactivated "${username}".`,
});
