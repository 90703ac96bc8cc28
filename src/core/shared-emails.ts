import type { UserStore } from '../stores/types.js';

/** How many shared addresses a report names; the rest are counted. */
const NAMED = 20;

/**
 * The operator's report of addresses several users share while `email.unique` is on (accounts
 * from before it, or a sign-up race): `gatehouse migrate` and `serve` print it, so duplicates are
 * reported rather than left silently. Null when there are none (or the store cannot tell).
 *
 * @example
 * const text = await sharedEmailsReport(stores.users, config.email.unique);
 * if (text) console.error(text);
 */
export async function sharedEmailsReport(users: UserStore, unique: boolean): Promise<string | null> {
  if (!unique || !users.sharedEmails) return null;
  const shared = await users.sharedEmails(NAMED + 1);
  if (!shared.length) return null;
  const lines = shared.slice(0, NAMED).map((s) => `  ${s.email}: users ${s.ids.join(', ')}`);
  if (shared.length > NAMED) lines.push('  … and more');
  return [
    'gatehouse: email.unique is on, but these addresses belong to several users; signing in with',
    'such an address reaches neither account, and a reset link goes to each. Give each user an',
    'address of their own, or set email.unique: false (docs/email.md):',
    ...lines,
  ].join('\n');
}
