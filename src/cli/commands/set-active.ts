import type { Context } from '../../core/context.js';
import type { UserRecord } from '../../stores/types.js';
import { positionals } from '../args.js';
import type { Command } from '../command.js';
import { findUser } from './find-user.js';

/** What tells `activate` and `deactivate` apart. */
export interface SetActiveSpec {
  name: string;
  summary: string;
  /** The state the command brings the user to. */
  active: boolean;
  /** The library call that makes the change (and records it in the audit trail). */
  apply: (ctx: Context, user: UserRecord) => Promise<void>;
  /** What is printed once the change is made. */
  done: (username: string) => string;
}

/**
 * `gatehouse activate|deactivate <username>`: one command shape, two directions. A user already
 * in the asked-for state is left alone.
 *
 * @example
 * export const activateCommand = setActiveCommand({ name: 'activate', summary, active: true, apply: activateUser, done });
 */
export function setActiveCommand(spec: SetActiveSpec): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: `${spec.name} <username>`,
    flags: {},
    async run(args, { open, print }) {
      const [username] = positionals(args, ['username']);
      const services = await open();
      const user = await findUser(services, username!);
      // A repeat changes nothing and records nothing: the audit trail shows acts, not attempts.
      if (user.isActive === spec.active) {
        print(`"${user.username}" is already ${spec.active ? 'active' : 'inactive'}; nothing changed.`);
        return 0;
      }
      await spec.apply(services.ctx, user);
      print(spec.done(user.username));
      return 0;
    },
  };
}
