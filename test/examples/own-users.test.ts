import { pbkdf2Sync } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
// As an application would: the built package, so the example's UniqueViolation is gatehouse's.
import { createGatehouse, defineConfig } from 'gatehouse-auth';
import { gatehouse, notFound } from 'gatehouse-auth/express';
import { createMemoryStores } from 'gatehouse-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountUserStore } from '../../examples/own-users/account-user-store.js';
import { basic, send } from '../contract/http.js';
import { type RunningServer, runCli, startServe } from '../helpers/cli.js';
import { FAST_HASHING, TEST_SECRET } from '../helpers/gatehouse.js';
import { tempProject } from '../helpers/temp.js';

const PASSWORD = 'correct horse battery staple';

/** A Django pbkdf2_sha256 hash, as an app migrating from Django has in its table. */
function djangoHash(password: string): string {
  const salt = 'seasalt0123';
  const digest = pbkdf2Sync(password, salt, 1000, 32, 'sha256').toString('base64');
  return `pbkdf2_sha256$1000$${salt}$${digest}`;
}

describe('bring your own users: a UserStore over an existing accounts table', () => {
  let db: Database.Database;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    db = new Database(join(tempProject(), 'app.db'));
    const users = accountUserStore(db);
    db.prepare('INSERT INTO accounts (login, email, password, role, created_at) VALUES (?, ?, ?, ?, ?)').run(
      'grace',
      'grace@example.com',
      djangoHash(PASSWORD),
      'admin',
      '2020-05-01T00:00:00.000Z',
    );
    db.prepare('INSERT INTO accounts (login, password, disabled, created_at) VALUES (?, ?, 1, ?)').run(
      'gone',
      djangoHash(PASSWORD),
      '2020-05-01T00:00:00.000Z',
    );
    const config = defineConfig({
      secretKey: TEST_SECRET,
      authentication: ['basic'],
      signup: true,
      passwords: { argon2: FAST_HASHING },
    });
    const gh = createGatehouse({ config, stores: { ...createMemoryStores(), users } });
    const app = express();
    app.use(gatehouse(gh));
    app.use(notFound());
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server?.close();
    db?.close();
  });

  it('authenticates an existing user with their Django hash, then upgrades it to argon2id', async () => {
    const res = await send('GET', `${base}/api/me/`, { headers: basic('grace', PASSWORD) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'grace', email: 'grace@example.com', is_staff: true });
    const row = db.prepare('SELECT password FROM accounts WHERE login = ?').get('grace') as {
      password: string;
    };
    expect(row.password).toMatch(/^\$argon2id\$/);
    expect((await send('GET', `${base}/api/me/`, { headers: basic('grace', PASSWORD) })).status).toBe(200);
  });

  it('refuses a disabled account', async () => {
    const res = await send('GET', `${base}/api/me/`, { headers: basic('gone', PASSWORD) });
    expect(res.status).toBe(401);
  });

  it('signs up into the app’s table, and answers a taken name with DRF’s field error', async () => {
    const res = await send('POST', `${base}/api/auth/register/`, {
      body: { username: 'hedy', password: PASSWORD },
    });
    expect(res.status).toBe(201);
    expect(db.prepare('SELECT role FROM accounts WHERE login = ?').get('hedy')).toEqual({ role: 'member' });
    const taken = await send('POST', `${base}/api/auth/register/`, {
      body: { username: 'hedy', password: PASSWORD },
    });
    expect(taken.status).toBe(400);
    expect(taken.body).toEqual({ username: ['A user with that username already exists.'] });
  });

  it('keeps gatehouse’s own state beside the app’s table: logout-all', async () => {
    const res = await send('POST', `${base}/api/auth/logout-all/`, { headers: basic('grace', PASSWORD) });
    expect(res.status).toBe(204);
    const state = db.prepare('SELECT tokens_valid_after FROM gatehouse_account_state').get() as {
      tokens_valid_after: number;
    };
    expect(state.tokens_valid_after).toBeGreaterThan(0);
  });
});

describe('bring your own users: the CLI and the server through the app’s config file', () => {
  const CONFIG = resolve(import.meta.dirname, '../../examples/own-users/gatehouse.config.ts');
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('creates the first user in the app’s own table, and the server authenticates it', async () => {
    const cwd = tempProject();
    // Both places for the global flag, as docs/users.md shows them.
    const ada = await runCli(['--config', CONFIG, 'createuser', 'ada', '--admin', '--password-stdin'], {
      cwd,
      input: PASSWORD,
    });
    expect(ada.code, ada.stderr).toBe(0);
    const bob = await runCli(['createuser', 'bob', '--password-stdin', '--config', CONFIG], {
      cwd,
      input: PASSWORD,
    });
    expect(bob.code, bob.stderr).toBe(0);
    const app = new Database(join(cwd, 'app.db'), { readonly: true });
    expect(app.prepare('SELECT login, role FROM accounts ORDER BY id').all()).toEqual([
      { login: 'ada', role: 'admin' },
      { login: 'bob', role: 'member' },
    ]);
    app.close();
    const own = new Database(join(cwd, 'gatehouse.db'), { readonly: true });
    expect(own.prepare('SELECT COUNT(*) AS n FROM gatehouse_users').get()).toEqual({ n: 0 });
    own.close();

    server = await startServe({ cwd, args: ['--config', CONFIG] });
    // The app's table has users, so no `admin` is made.
    expect(server.stderr()).not.toContain('Created the user "admin"');
    const me = await send('GET', `${server.url}/api/me/`, { headers: basic('ada', PASSWORD) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'ada', is_staff: true });
  });
});
