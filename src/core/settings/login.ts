import { z } from 'zod';

const LOGIN_FIELDS = ['username', 'email'] as const;

/**
 * What a user may sign in with (docs/email.md): the username (Django's default), the email
 * address, or either. The login bodies keep DRF's `username` field; with `email` listed, a name
 * holding `@` that is no username is looked up as an address.
 *
 * @example
 * defineConfig({ secretKey, login: { fields: ['username', 'email'] } });
 */
export const loginSettings = z
  .object({
    fields: z
      .array(
        z.enum(LOGIN_FIELDS, {
          error: (issue) => `expected "username" or "email", got ${JSON.stringify(issue.input)}`,
        }),
      )
      .min(1)
      .default(['username']),
  })
  .strict();

export type LoginSettings = z.output<typeof loginSettings>;
