import { normalizeUsername } from '../../core/username.js';
import type { Services } from '../../services/types.js';
import type { UserRecord } from '../../stores/types.js';
import { CommandFailed } from '../command.js';

/** The named user (looked up NFKC normalised, as it is stored), or exit 1 with a clear message. */
export async function findUser(services: Services, username: string): Promise<UserRecord> {
  const user = await services.ctx.stores.users.findByUsername(normalizeUsername(username));
  if (!user) throw new CommandFailed(`no user named "${username}"`);
  return user;
}
