/**
 * The config file of an app that keeps its own users (docs/users.md): `gatehouse serve` and every
 * CLI command (`gatehouse --config ./gatehouse.config.ts createuser ada`) read it, and use the
 * `stores` it exports over the ones `database` opens: users in the app's `accounts` table,
 * sessions, tokens and the rest in gatehouse's own database.
 */
import Database from 'better-sqlite3';
import { defineConfig, type StoresFactory } from 'gatehouse-auth';
import { accountUserStore } from './account-user-store.js';

export default defineConfig({
  secretKey: process.env.GATEHOUSE_SECRET_KEY!,
  database: 'sqlite:./gatehouse.db',
});

/** The app's own users; closed with gatehouse's stores. Paths are relative to the working directory. */
export const stores: StoresFactory = () => {
  const db = new Database(process.env.APP_DATABASE ?? './app.db');
  return {
    users: accountUserStore(db),
    close: async () => {
      db.close();
    },
  };
};
