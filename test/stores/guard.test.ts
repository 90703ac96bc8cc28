import { describe, expect, it } from 'vitest';
import { StoreUnavailable, UniqueViolation } from '../../src/stores/errors.js';
import { guard, translateError } from '../../src/stores/sql/translate-errors.js';

const driverError = (props: Record<string, unknown>, message = 'boom'): Error =>
  Object.assign(new Error(message), props);

describe('translateError', () => {
  it('turns unique violations of either dialect into UniqueViolation(field)', () => {
    const sqlite = translateError(
      'users',
      driverError({ code: 'SQLITE_CONSTRAINT_UNIQUE' }, 'UNIQUE constraint failed: gatehouse_users.username'),
    );
    expect(sqlite).toEqual(new UniqueViolation('username'));
    const pg = translateError(
      'users',
      driverError({ code: '23505', detail: 'Key (username)=(bob) already exists.' }),
    );
    expect(pg).toEqual(new UniqueViolation('username'));
    const pgPk = translateError(
      'jwtState',
      driverError({ code: '23505', detail: 'Key (family_id)=(f) already exists.' }),
    );
    expect((pgPk as UniqueViolation).field).toBe('familyId');
  });

  it.each([
    ['SQLite busy after the timeout', { code: 'SQLITE_BUSY' }, 'database is locked'],
    ['SQLite disk I/O', { code: 'SQLITE_IOERR_WRITE' }, 'disk I/O error'],
    ['SQLite disk full', { code: 'SQLITE_FULL' }, 'database or disk is full'],
    ['a closed SQLite handle', {}, 'The database connection is not open'],
    ['connection refused', { code: 'ECONNREFUSED' }, 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['pg connection failure', { code: '08006' }, 'connection failure'],
    ['pg admin shutdown', { code: '57P01' }, 'terminating connection due to administrator command'],
    ['pg wrong password', { code: '28P01' }, 'password authentication failed'],
    ['pg unmigrated schema', { code: '42P01' }, 'relation "gatehouse_users" does not exist'],
    ['pg connection lost', {}, 'Connection terminated unexpectedly'],
    ['a pg server that stopped answering', {}, 'Query read timeout'],
  ])('reports %s as StoreUnavailable', (_, props, message) => {
    const err = driverError(props, message);
    const out = translateError('sessions', err);
    expect(out).toBeInstanceOf(StoreUnavailable);
    expect((out as StoreUnavailable).store).toBe('sessions');
    expect((out as StoreUnavailable).cause).toBe(err);
  });

  it('lets a bug in a query through unchanged, so it is not mistaken for an outage', () => {
    const syntax = driverError({ code: 'SQLITE_ERROR' }, 'near "selec": syntax error');
    expect(translateError('users', syntax)).toBe(syntax);
    const pgSyntax = driverError({ code: '42601' }, 'syntax error at or near "selec"');
    expect(translateError('users', pgSyntax)).toBe(pgSyntax);
  });
});

describe('guard', () => {
  it('wraps every method once and keeps results', async () => {
    const store = guard('audit', {
      async ok() {
        return 42;
      },
      async down(): Promise<never> {
        throw driverError({ code: 'ECONNRESET' });
      },
    });
    expect(await store.ok()).toBe(42);
    await expect(store.down()).rejects.toBeInstanceOf(StoreUnavailable);
  });
});
