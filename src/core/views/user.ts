import { z } from 'zod';
import type { UserRecord } from '../../stores/types.js';

/** The public shape of a user on the wire (DRF/Django field names). Never the password hash. */
export interface UserView {
  id: number;
  username: string;
  email: string;
  email_verified: boolean;
  is_staff: boolean;
  is_active: boolean;
  date_joined: string;
  last_login: string | null;
}

export function userView(user: UserRecord): UserView {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    email_verified: user.emailVerified === true,
    is_staff: user.isAdmin,
    is_active: user.isActive,
    date_joined: new Date(user.dateJoined).toISOString(),
    last_login: user.lastLogin === null ? null : new Date(user.lastLogin).toISOString(),
  };
}

/** The OpenAPI shape of a UserView. */
export const userViewSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string(),
  email_verified: z.boolean(),
  is_staff: z.boolean(),
  is_active: z.boolean(),
  date_joined: z.iso.datetime(),
  last_login: z.iso.datetime().nullable(),
});
