import { audit } from '../../core/audit.js';
import { parseDuration } from '../../core/clock.js';
import { apiKeyDigest, parseApiKey } from '../../crypto/api-keys.js';
import { issueApiToken, revokeApiToken } from '../../schemes/token/issue.js';
import type { Services } from '../../services/types.js';
import type { ApiTokenRecord } from '../../stores/types.js';
import { listFlag, oneArgument, onlyFlags, stringFlag, unknownAction } from '../args.js';
import { type Command, type CommandEnv, CommandFailed, type ParsedArgs, UsageError } from '../command.js';
import { stamp, table } from '../text.js';
import { findUser } from './find-user.js';

const USAGE = [
  'token create <username> [--name <name>] [--ttl <duration|never>] [--scope <scope>]…',
  '       gatehouse token list <username>',
  '       gatehouse token revoke <id> | <username> <id> | --all <username> | <key>',
].join('\n');

/**
 * `gatehouse token create|list|revoke`: an operator's hands on API tokens. `create` prints the
 * key on stdout and nothing else (so `KEY=$(gatehouse token create ci)` works) and the details
 * on stderr; the key is never stored, so it cannot be shown again.
 */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'create, list and revoke API tokens (the key is shown once, at creation)',
  usage: USAGE,
  flags: {
    name: {
      type: 'string',
      value: 'name',
      description: 'create: a label for the device or script',
      default: 'cli',
    },
    ttl: {
      type: 'string',
      value: 'duration',
      description: 'create: lifetime like "90d", or "never"',
      default: 'tokens.ttl, 30d unless configured',
    },
    scope: {
      type: 'list',
      value: 'scope',
      description: 'create: limit the token to a scope (repeatable)',
      default: 'full access',
    },
    all: { type: 'boolean', description: 'revoke: every token of the user' },
  },
  async run(args, env) {
    const [action, ...rest] = args.positionals;
    if (action === 'create') {
      onlyFlags(args, 'token create', ['name', 'ttl', 'scope']);
      return create(oneArgument(rest, 'username'), args, env);
    }
    if (action === 'list') {
      onlyFlags(args, 'token list', []);
      return list(oneArgument(rest, 'username'), env);
    }
    if (action === 'revoke') {
      onlyFlags(args, 'token revoke', ['all']);
      return revoke(rest, args.flags.all === true, env);
    }
    throw unknownAction(action, ['create', 'list', 'revoke']);
  },
};

function parseTtl(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'never' || value === 'none') return null;
  try {
    const seconds = parseDuration(value);
    if (seconds <= 0) throw new RangeError('expected a lifetime above zero');
    return seconds;
  } catch (err) {
    throw new UsageError(`--ttl: ${(err as Error).message}, or "never"`);
  }
}

async function create(username: string, args: ParsedArgs, { io, open, print }: CommandEnv): Promise<number> {
  const lifetime = parseTtl(stringFlag(args, 'ttl'));
  const scopes = listFlag(args, 'scope').flatMap((s) => s.split(',').filter(Boolean));
  const services = await open();
  const user = await findUser(services, username);
  if (!user.isActive) throw new CommandFailed(`"${user.username}" is inactive: their tokens would not work`);
  const { key, token } = await issueApiToken(services.ctx, user, {
    name: stringFlag(args, 'name') ?? 'cli',
    lifetime,
    scopes,
    via: 'cli',
  });
  print(key);
  io.stderr.write(
    `Created token "${token.name}" (id ${token.id}) for "${user.username}": ${describe(token)}.\n` +
      'The key above is shown once: it is not stored, and cannot be shown again.\n',
  );
  return 0;
}

function describe(token: ApiTokenRecord): string {
  const scopes = token.scopes.length ? `scopes ${token.scopes.join(', ')}` : 'full access';
  return `${scopes}, expires ${token.expiresAt === null ? 'never' : stamp(token.expiresAt)}`;
}

async function list(username: string, { open, print }: CommandEnv): Promise<number> {
  const services = await open();
  const user = await findUser(services, username);
  const now = services.ctx.clock.now();
  const tokens = await services.ctx.stores.apiTokens.listForUser(user.id);
  if (tokens.length === 0) {
    print(`No tokens for "${user.username}".`);
    return 0;
  }
  const rows = [
    ['ID', 'NAME', 'PREFIX', 'SCOPES', 'CREATED', 'LAST USED', 'EXPIRES'],
    ...tokens.map((t) => [
      t.id,
      t.name,
      `${t.prefix}…`,
      t.scopes.join(',') || '*',
      stamp(t.createdAt),
      stamp(t.lastUsedAt),
      t.expiresAt === null ? 'never' : `${stamp(t.expiresAt)}${t.expiresAt <= now ? ' (expired)' : ''}`,
    ]),
  ];
  for (const line of table(rows)) print(line);
  return 0;
}

async function revoke(rest: string[], all: boolean, { open, print }: CommandEnv): Promise<number> {
  if (all) {
    const services = await open();
    const user = await findUser(services, oneArgument(rest, 'username'));
    const n = await services.ctx.stores.apiTokens.deleteForUser(user.id);
    await audit(services.ctx, null, 'token_revoked', {
      user,
      scheme: 'token',
      detail: { all: true, count: n },
    });
    print(`Revoked ${n} token${n === 1 ? '' : 's'} of "${user.username}".`);
    return 0;
  }
  if (rest.length === 1 && parseApiKey(rest[0]!)) return revokeKey(rest[0]!, await open(), print);
  if (rest.length === 1) {
    // Ids are 16 characters; anything much longer was meant as a key and has a typo in it.
    if (rest[0]!.length > 32) throw new UsageError('not a valid key: its checksum does not match');
    return revokeId(rest[0]!, await open(), print);
  }
  if (rest.length !== 2) throw new UsageError('expected <id>, <username> <id>, --all <username>, or a key');
  const services = await open();
  const user = await findUser(services, rest[0]!);
  if (!(await revokeApiToken(services.ctx, user, rest[1]!))) {
    throw new CommandFailed(`"${user.username}" has no token with id "${rest[1]}"`);
  }
  print(`Revoked token ${rest[1]} of "${user.username}".`);
  return 0;
}

/** Revokes by the id `token list` shows; the operator need not know whose it is. */
async function revokeId(id: string, services: Services, print: (line: string) => void): Promise<number> {
  const token = await services.ctx.stores.apiTokens.findByPublicId(id);
  const user = token && (await services.ctx.stores.users.findById(token.userId));
  if (!token || !user || !(await revokeApiToken(services.ctx, user, token.id))) {
    throw new CommandFailed(`no token with id "${id}"`);
  }
  print(`Revoked token ${token.id} ("${token.name}") of "${user.username}".`);
  return 0;
}

/** Revokes a key found in the wild (a secret scanner's report): its digest finds its row. */
async function revokeKey(key: string, services: Services, print: (line: string) => void): Promise<number> {
  const token = await services.ctx.stores.apiTokens.findByDigest(apiKeyDigest(key));
  const user = token && (await services.ctx.stores.users.findById(token.userId));
  if (!token || !user || !(await revokeApiToken(services.ctx, user, token.id))) {
    throw new CommandFailed('no such token: it was revoked already, or never existed here');
  }
  print(`Revoked token ${token.id} ("${token.name}") of "${user.username}".`);
  return 0;
}
