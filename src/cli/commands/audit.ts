import { parseDuration } from '../../core/clock.js';
import type { AuditEvent } from '../../stores/types.js';
import { noArguments, stringFlag } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { quote, safe } from '../text.js';
import { findUser } from './find-user.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 100_000;

/**
 * `gatehouse audit [--user <name>] [--since <when>] [--limit <n>] [--json]`: the security events
 * (logins, failures, tokens, refresh reuse, password changes…) newest first, one per line. The
 * audit trail holds ids and reasons only, never a password, key or token, so it is safe to print.
 */
export const auditCommand: Command = {
  name: 'audit',
  summary: 'print the audit trail (logins, failures, tokens, revocations), newest first',
  usage: 'audit [--user <username>] [--since <duration|ISO date>] [--limit <n>] [--json]',
  flags: {
    user: { type: 'string', value: 'username', description: "only this user's events", default: 'all users' },
    since: {
      type: 'string',
      value: 'when',
      description: 'only events since then: a duration ago ("1h", "7d") or an ISO date',
      default: 'no limit',
    },
    limit: {
      type: 'string',
      value: 'n',
      description: `at most this many events, 1 to ${MAX_LIMIT}`,
      default: String(DEFAULT_LIMIT),
    },
    json: { type: 'boolean', description: 'one JSON object per line instead of text' },
  },
  async run(args, { open, print }) {
    noArguments(args.positionals);
    const limit = parseLimit(stringFlag(args, 'limit'));
    const sinceFlag = stringFlag(args, 'since');
    const username = stringFlag(args, 'user');
    const services = await open();
    const since = sinceFlag === undefined ? undefined : parseSince(sinceFlag, services.ctx.clock.now());
    const userId = username === undefined ? undefined : (await findUser(services, username)).id;
    const events = await services.ctx.stores.audit.list({
      limit,
      ...(userId === undefined ? {} : { userId }),
      ...(since === undefined ? {} : { since }),
    });
    for (const e of events) print(args.flags.json === true ? safe(JSON.stringify(asJson(e))) : line(e));
    if (!events.length && args.flags.json !== true) print('No audit events.');
    return 0;
  },
};

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new UsageError(
      `--limit: expected a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** `--since 1h` (that long ago) or `--since 2026-01-01` / a full ISO timestamp. */
function parseSince(value: string, now: number): number {
  try {
    return now - parseDuration(value) * 1000;
  } catch {
    const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at)) {
      throw new UsageError(
        `--since: expected a duration like "1h" or "7d", or an ISO date like "2026-01-31", got ${JSON.stringify(value)}`,
      );
    }
    return at;
  }
}

function asJson(e: AuditEvent): Record<string, unknown> {
  return {
    at: new Date(e.at).toISOString(),
    event: e.event,
    user_id: e.userId,
    username: e.username,
    ip: e.ip,
    user_agent: e.userAgent,
    scheme: e.scheme,
    detail: e.detail,
  };
}

/**
 * One readable line. Text a client chose (username, user agent) is printed as JSON strings, so
 * control characters cannot forge a line or drive the operator's terminal.
 */
function line(e: AuditEvent): string {
  const parts = [new Date(e.at).toISOString(), e.event];
  if (e.username !== null) parts.push(`user=${quote(e.username)}`);
  if (e.userId !== null) parts.push(`id=${e.userId}`);
  if (e.ip) parts.push(`ip=${/^[0-9a-fA-F.:]+$/.test(e.ip) ? e.ip : quote(e.ip)}`);
  if (e.scheme) parts.push(`scheme=${e.scheme}`);
  if (e.userAgent) parts.push(`ua=${quote(e.userAgent)}`);
  if (Object.keys(e.detail).length) parts.push(safe(JSON.stringify(e.detail)));
  return parts.join(' ');
}
