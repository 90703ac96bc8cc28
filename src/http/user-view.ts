import type { UserRecord } from '../stores/types.js';

/** The public shape of a user on the wire (DRF/Django field names). Never the password hash. */
export interface UserView {
  id: number;
  username: string;
  email: string;
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
    is_staff: user.isAdmin,
    is_active: user.isActive,
    date_joined: new Date(user.dateJoined).toISOString(),
    last_login: user.lastLogin === null ? null : new Date(user.lastLogin).toISOString(),
  };
}
