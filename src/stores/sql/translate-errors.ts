import { ValidationError } from '../../core/errors.js';
import { StoreUnavailable, UniqueViolation } from '../errors.js';
import { wrapErrors } from '../wrap-errors.js';

/** SQLite result codes (better-sqlite3's `err.code`) that mean the backend, not the query, failed. */
const SQLITE_UNAVAILABLE =
  /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|CORRUPT|NOTADB|READONLY|NOMEM|PROTOCOL|INTERRUPT|PERM|ABORT)/;
/** Socket errors from pg (or any driver reached over the network). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/**
 * PostgreSQL SQLSTATE classes that mean unavailable: 08 connection, 28 authorisation (wrong
 * credentials in the URL), 3D no such database, 40 serialisation/deadlock, 53 resources, 57
 * operator intervention (shutdown, cancel), 58 system error; and 42P01, a missing table (the
 * schema was never migrated).
 */
const PG_UNAVAILABLE = /^(08|28|3D|40|53|57|58)|^42P01$/;
/**
 * Messages of errors thrown without a usable code: a closed connection, pool or driver, a query
 * the server stopped answering (pg's query_timeout), or an unmigrated schema.
 */
const UNAVAILABLE_MESSAGES =
  /database connection is not open|driver has already been destroyed|no such table|Connection terminated|timeout exceeded when trying to connect|Query read timeout|Cannot use a pool after calling end|not queryable/i;

interface DriverError {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
}

/** The column a unique violation is about, or null when `err` is not one. */
function uniqueColumn(err: DriverError): string | null {
  const message = typeof err.message === 'string' ? err.message : '';
  if (typeof err.code === 'string' && err.code.startsWith('SQLITE_CONSTRAINT')) {
    // "UNIQUE constraint failed: gatehouse_users.username"
    const m = /UNIQUE constraint failed: \w+\.(\w+)/.exec(message);
    return m ? (m[1] as string) : null;
  }
  if (err.code === '23505') {
    // "Key (username)=(alice) already exists."
    const m = /Key \((\w+)\)/.exec(typeof err.detail === 'string' ? err.detail : '');
    return m ? (m[1] as string) : 'value';
  }
  return null;
}

function isUnavailable(err: DriverError): boolean {
  const code = typeof err.code === 'string' ? err.code : '';
  const message = typeof err.message === 'string' ? err.message : '';
  return (
    SQLITE_UNAVAILABLE.test(code) ||
    NETWORK_CODES.has(code) ||
    (code.length === 5 && PG_UNAVAILABLE.test(code)) ||
    UNAVAILABLE_MESSAGES.test(message)
  );
}

/**
 * PostgreSQL's refusals of a value it cannot hold in a text column (U+0000: 22021, 22P05). The
 * layers above refuse such input first; this keeps a write that slipped past them a 400, not a 500.
 */
const PG_UNSTORABLE_TEXT = new Set(['22021', '22P05']);

const camel = (column: string): string => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Maps a driver error to the store error catalogue: a unique violation becomes
 * `UniqueViolation(field)`, a backend that is down, locked, full or closed becomes
 * `StoreUnavailable(store)` (the HTTP layer answers 503 and refuses the request), text PostgreSQL
 * cannot hold a 400 `ValidationError`. Anything else is
 * a bug in the query and is rethrown unchanged, so it is not disguised as an outage.
 */
export function translateError(store: string, err: unknown): unknown {
  if (err instanceof StoreUnavailable || err instanceof UniqueViolation) return err;
  if (typeof err !== 'object' || err === null) return err;
  const column = uniqueColumn(err as DriverError);
  if (column !== null) return new UniqueViolation(camel(column));
  if (isUnavailable(err as DriverError)) return new StoreUnavailable(store, err);
  if (PG_UNSTORABLE_TEXT.has((err as DriverError).code as string)) {
    return new ValidationError({ non_field_errors: ['Null characters are not allowed.'] });
  }
  return err;
}

/**
 * Wraps every method of a store so its errors pass through {@link translateError}: one wrapper
 * per store instead of a try/catch in every method.
 *
 * @example
 * return guard('sessions', { async findByDigest(digest) { … }, … });
 */
export function guard<T extends object>(store: string, impl: T): T {
  return wrapErrors(impl, (err) => translateError(store, err));
}
