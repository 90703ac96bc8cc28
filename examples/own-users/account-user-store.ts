/**
 * Bring your own users: a gatehouse UserStore over an application's existing `accounts` table,
 * whose columns are not gatehouse's. Two columns gatehouse needs and the app does not have
 * (last login, the logout-everywhere instant) live in a side table, so the app's own table is
 * left as it is. See docs/users.md.
 */
import type Database from 'better-sqlite3';
import { type NewUser, UniqueViolation, type UserId, type UserRecord, type UserStore } from 'gatehouse-auth';

/** The app's table, as it already exists (this example creates it for its test). */
export const ACCOUNTS_TABLE = `
  CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL DEFAULT '',
    password TEXT NOT NULL DEFAULT '',
    disabled INTEGER NOT NULL DEFAULT 0,
    role TEXT NOT NULL DEFAULT 'member',
    created_at TEXT NOT NULL
  )`;

/** gatehouse's own state per account, beside the app's table rather than in it. */
const STATE_TABLE = `
  CREATE TABLE IF NOT EXISTS gatehouse_account_state (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    last_login INTEGER,
    tokens_valid_after INTEGER
  )`;

interface Row {
  id: number;
  login: string;
  email: string;
  password: string;
  disabled: number;
  role: string;
  created_at: string;
  last_login: number | null;
  tokens_valid_after: number | null;
}

const SELECT = `
  SELECT a.id, a.login, a.email, a.password, a.disabled, a.role, a.created_at,
         s.last_login, s.tokens_valid_after
  FROM accounts a LEFT JOIN gatehouse_account_state s ON s.account_id = a.id`;

function toUser(row: Row | undefined): UserRecord | null {
  if (!row) return null;
  return {
    id: row.id,
    username: row.login,
    email: row.email,
    passwordHash: row.password,
    isActive: row.disabled === 0,
    isAdmin: row.role === 'admin',
    dateJoined: Date.parse(row.created_at),
    lastLogin: row.last_login,
    tokensValidAfter: row.tokens_valid_after,
  };
}

/**
 * A UserStore over `accounts`. Statements are prepared once, here: the lookups by id and by
 * login run on every authenticated request.
 *
 * @example
 * const db = new Database('./app.db');
 * const stores = { ...(await openStores(config)), users: accountUserStore(db) };
 * const gh = createGatehouse({ config, stores });
 */
export function accountUserStore(db: Database.Database): UserStore {
  db.exec(ACCOUNTS_TABLE);
  db.exec(STATE_TABLE);
  const byId = db.prepare<[number], Row>(`${SELECT} WHERE a.id = ?`);
  const byLogin = db.prepare<[string], Row>(`${SELECT} WHERE a.login = ?`);
  const insert = db.prepare(
    'INSERT INTO accounts (login, email, password, disabled, role, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const setPassword = db.prepare('UPDATE accounts SET password = ? WHERE id = ?');
  const setDisabled = db.prepare('UPDATE accounts SET disabled = ? WHERE id = ?');
  const upsertState = (column: 'last_login' | 'tokens_valid_after') =>
    db.prepare(
      `INSERT INTO gatehouse_account_state (account_id, ${column}) VALUES (?, ?)
       ON CONFLICT (account_id) DO UPDATE SET ${column} = excluded.${column}`,
    );
  const setLastLogin = upsertState('last_login');
  const setCutoff = upsertState('tokens_valid_after');
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM accounts');

  return {
    async findById(id: UserId) {
      return toUser(byId.get(id));
    },
    async findByUsername(username: string) {
      return toUser(byLogin.get(username));
    },
    async create(user: NewUser) {
      try {
        const { lastInsertRowid } = insert.run(
          user.username,
          user.email ?? '',
          user.passwordHash,
          user.isActive === false ? 1 : 0,
          user.isAdmin ? 'admin' : 'member',
          new Date(user.dateJoined).toISOString(),
        );
        return toUser(byId.get(Number(lastInsertRowid)))!;
      } catch (err) {
        // gatehouse answers a taken name with DRF's field error when it sees UniqueViolation.
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
          throw new UniqueViolation('username');
        throw err;
      }
    },
    async setPassword(id, passwordHash) {
      setPassword.run(passwordHash, id);
    },
    async setActive(id, active) {
      setDisabled.run(active ? 0 : 1, id);
    },
    async setLastLogin(id, at) {
      setLastLogin.run(id, at);
    },
    async setTokensValidAfter(id, at) {
      setCutoff.run(id, at);
    },
    async count() {
      return count.get()!.n;
    },
  };
}
