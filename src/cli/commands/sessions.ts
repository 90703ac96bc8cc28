import { audit } from '../../core/audit.js';
import { sessionView } from '../../core/views/session.js';
import type { Services } from '../../services/types.js';
import type { SessionRecord } from '../../stores/types.js';
import { oneArgument, onlyFlags, stringFlag, unknownAction } from '../args.js';
import { type Command, type CommandEnv, CommandFailed, UsageError } from '../command.js';
import { printable, safe, stamp, table } from '../text.js';
import { findUser } from './find-user.js';

const USAGE = [
  'sessions list <username> [--json]',
  '       gatehouse sessions revoke <id> | --user <username>',
].join('\n');

/**
 * `gatehouse sessions list|revoke`: a user's browser sessions, and ending them (one by the id
 * `list` shows, or all of a user's). It acts through the configured SessionStore, so it works
 * the same on SQLite, PostgreSQL and Redis; a revoked session fails on its very next request.
 */
export const sessionsCommand: Command = {
  name: 'sessions',
  summary: "list a user's sessions, or revoke one or all of them",
  usage: USAGE,
  flags: {
    json: { type: 'boolean', description: 'list: one JSON array instead of a table' },
    user: { type: 'string', value: 'username', description: 'revoke: every session of this user' },
  },
  async run(args, env) {
    const [action, ...rest] = args.positionals;
    if (action === 'list') {
      onlyFlags(args, 'sessions list', ['json']);
      return list(oneArgument(rest, 'username'), args.flags.json === true, env);
    }
    if (action === 'revoke') {
      onlyFlags(args, 'sessions revoke', ['user']);
      const username = stringFlag(args, 'user');
      if (username !== undefined) {
        if (rest.length) throw new UsageError('give a session <id> or --user <username>, not both');
        return revokeAll(username, env);
      }
      return revokeOne(oneArgument(rest, 'id'), env);
    }
    throw unknownAction(action, ['list', 'revoke']);
  },
};

/** The live sessions, as the account page lists them: expired and idle ones are left out. */
async function liveSessions(services: Services, userId: number): Promise<SessionRecord[]> {
  const now = services.ctx.clock.now();
  const { isLive } = services.sessions;
  return (await services.ctx.stores.sessions.listForUser(userId)).filter((s) => isLive(s, now));
}

async function list(username: string, json: boolean, { open, print }: CommandEnv): Promise<number> {
  const services = await open();
  const user = await findUser(services, username);
  const sessions = await liveSessions(services, user.id);
  if (json) {
    print(safe(JSON.stringify(sessions.map((session) => sessionView(session)))));
    return 0;
  }
  if (sessions.length === 0) {
    print(`No sessions for "${user.username}".`);
    return 0;
  }
  const rows = [
    ['ID', 'CREATED', 'LAST SEEN', 'EXPIRES', 'IP', 'USER AGENT'],
    ...sessions.map((s) => [
      s.id,
      stamp(s.createdAt),
      stamp(s.lastSeenAt),
      stamp(s.expiresAt),
      printable(s.ip) || '-',
      printable(s.userAgent) || '-',
    ]),
  ];
  for (const line of table(rows)) print(line);
  return 0;
}

async function revokeOne(id: string, { open, print }: CommandEnv): Promise<number> {
  const services = await open();
  const session = await services.ctx.stores.sessions.findByPublicId(id);
  const user = session && (await services.ctx.stores.users.findById(session.userId));
  const owner = user ?? (session && { id: session.userId, username: `#${session.userId}` });
  if (!owner || !(await services.sessions.revoke(owner, id, { req: null, via: 'cli' }))) {
    throw new CommandFailed(`no session with id "${id}"`);
  }
  print(`Revoked session ${id} of "${owner.username}".`);
  return 0;
}

async function revokeAll(username: string, { open, print }: CommandEnv): Promise<number> {
  const services = await open();
  const user = await findUser(services, username);
  const n = await services.ctx.stores.sessions.deleteForUser(user.id);
  if (n > 0)
    await audit(services.ctx, null, 'session_revoked', { user, detail: { all: true, count: n, via: 'cli' } });
  print(`Revoked ${n} session${n === 1 ? '' : 's'} of "${user.username}".`);
  return 0;
}
