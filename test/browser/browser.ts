import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type GatehouseConfigInput, resolveConfig } from '../../src/core/config.js';
import { createPasswordHasher } from '../../src/crypto/passwords/hasher.js';
import { buildServer, type Server } from '../../src/server/app.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { FAST_HASHING, TEST_SECRET } from '../helpers/gatehouse.js';
import { PASSWORD } from '../helpers/session.js';
import { tempProject } from '../helpers/temp.js';

/** Debian's chromium, installed by .ci/run with apt. */
export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = resolve(import.meta.dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-results');

/**
 * Whether the browser tests can run here. Without chromium they are skipped with the reason
 * printed, unless GATEHOUSE_REQUIRE_BROWSER=1 (CI), which makes a missing browser a failure.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const reason = `${CHROMIUM} is missing (apt-get install chromium)`;
  if (process.env.GATEHOUSE_REQUIRE_BROWSER === '1') {
    throw new Error(`browser tests required (GATEHOUSE_REQUIRE_BROWSER=1) but ${reason}`);
  }
  console.warn(`skipping browser tests: ${reason}; GATEHOUSE_REQUIRE_BROWSER=1 turns this into a failure`);
  return false;
}

/** Compiles the account page from its sources into dist/public, as `npm run build` does. */
export function buildAccountPage(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-public.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless chromium with nothing that reaches for the network (the machine has none): no
 * background fetches, component updates, sync or QUIC. `launch` gives it a fresh temporary
 * profile (user-data-dir) of its own, removed when it closes.
 */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-gpu',
      '--disable-quic',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

export interface RunningGatehouse {
  server: Server;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/** The real standalone server on 127.0.0.1 and an ephemeral port, over memory stores. */
export async function startGatehouse(
  overrides: Partial<GatehouseConfigInput> = {},
): Promise<RunningGatehouse> {
  const config = resolveConfig({
    secretKey: TEST_SECRET,
    database: 'memory:',
    authentication: ['session', 'token', 'jwt'],
    logLevel: 'silent',
    ...overrides,
    passwords: { argon2: FAST_HASHING },
    // A sign-up's verification mail lands in the test's own folder, never in the repository.
    email: { outbox: join(tempProject(), 'outbox'), ...overrides.email },
  });
  const server = await buildServer({
    config,
    stores: createMemoryStores(),
    passwords: createPasswordHasher(config.passwords),
    logger: false,
  });
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return { server, url, close: () => server.app.close() };
}

/** A browser context that lets the page use the clipboard (the key's Copy button). */
export async function newContext(browser: Browser, url: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  return context;
}

/** A user the page signs in as, with the tests' PASSWORD; a bare string is just the username. */
export type PageUser = string | { username: string; email?: string; isAdmin?: boolean };

export interface AccountPageSetup {
  /** What this file's server does differently from {@link startGatehouse}'s defaults. */
  config?: Partial<GatehouseConfigInput>;
  users: readonly PageUser[];
  /** Compile the account page first (default); a file that only calls the API skips it. */
  build?: boolean;
}

/** The server and chromium of a browser test file, there from its beforeAll to its afterAll. */
export interface AccountPageTest {
  readonly gatehouse: RunningGatehouse;
  readonly browser: Browser;
}

/**
 * The set-up every browser test file shares, as hooks of the enclosing describe: compile the
 * page, start the server, create its users, launch chromium; close them all afterwards. A setup
 * given as a function is read in beforeAll, after the hooks the file registered before this call
 * (a mail server whose URL goes into the config); hooks registered after it run after it.
 */
export function useAccountPage(setup: AccountPageSetup | (() => AccountPageSetup)): AccountPageTest {
  let gatehouse: RunningGatehouse | undefined;
  let launched: LaunchedBrowser | undefined;
  beforeAll(async () => {
    const { config, users, build = true } = typeof setup === 'function' ? setup() : setup;
    if (build) buildAccountPage();
    gatehouse = await startGatehouse(config);
    const ctx = gatehouse.server.gh.ctx;
    for (const user of users) {
      await ctx.stores.users.create({
        ...(typeof user === 'string' ? { username: user } : user),
        passwordHash: await ctx.passwords.hash(PASSWORD),
        dateJoined: Date.now(),
      });
    }
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
    await gatehouse?.close();
  });
  return {
    get gatehouse() {
      if (!gatehouse) throw new Error('the server starts in beforeAll');
      return gatehouse;
    },
    get browser() {
      if (!launched) throw new Error('chromium launches in beforeAll');
      return launched.browser;
    },
  };
}
