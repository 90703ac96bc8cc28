import type { Gatehouse } from '../../contract/gatehouse.js';
import type { UserRecord } from '../../stores/types.js';
import { CommandFailed } from '../command.js';

/** The named user, or exit 1 with a clear message. */
export async function findUser(gh: Gatehouse, username: string): Promise<UserRecord> {
  const user = await gh.ctx.stores.users.findByUsername(username);
  if (!user) throw new CommandFailed(`no user named "${username}"`);
  return user;
}
