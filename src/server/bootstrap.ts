import type { Context } from '../core/context.js';
import { ValidationError } from '../core/errors.js';
import { createUser } from '../core/users.js';
import { randomSecret } from '../crypto/random.js';

/**
 * On first start with no users, creates `admin` (staff) so the server is usable at once. The
 * password is GATEHOUSE_ADMIN_PASSWORD, or a random one that is returned to be shown once
 * (never logged).
 */
export async function ensureAdmin(
  ctx: Context,
  env: NodeJS.ProcessEnv,
): Promise<{ password: string | null } | null> {
  if ((await ctx.stores.users.count()) > 0) return null;
  const given = env.GATEHOUSE_ADMIN_PASSWORD;
  const password = given ?? randomSecret(15);
  try {
    await createUser(ctx, { username: 'admin', password, isAdmin: true });
  } catch (err) {
    // A second instance starting at the same moment created it first.
    if (err instanceof ValidationError && err.fields.username) return null;
    throw err;
  }
  return { password: given ? null : password };
}
