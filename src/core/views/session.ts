import { z } from 'zod';
import type { SessionRecord } from '../../stores/types.js';
import type { AuthResult } from '../scheme.js';
import { deviceName } from './device.js';

const timestamp = z.iso.datetime();

/** The wire shape of a session in the list: never its secret nor its digest. */
export const sessionViewSchema = z.object({
  id: z.string(),
  created: timestamp,
  last_seen: timestamp.describe('Written at most once per `sessions.touchInterval`.'),
  expires: timestamp,
  ip: z.string(),
  user_agent: z.string(),
  device: z
    .string()
    .describe('The user agent named for a person: "Chrome on Linux", "Safari on iPhone", "curl".'),
  current: z.boolean().describe('True for the session this request was authenticated with.'),
});
export type SessionView = z.output<typeof sessionViewSchema>;

/** The public view of a session row. */
export function sessionView(row: SessionRecord, auth: AuthResult | null = null): SessionView {
  return {
    id: row.id,
    created: new Date(row.createdAt).toISOString(),
    last_seen: new Date(row.lastSeenAt).toISOString(),
    expires: new Date(row.expiresAt).toISOString(),
    ip: row.ip,
    user_agent: row.userAgent,
    device: deviceName(row.userAgent),
    current: auth?.scheme === 'session' && auth.auth.id === row.id,
  };
}
