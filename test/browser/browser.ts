import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { type GatehouseConfigInput, resolveConfig } from '../../src/core/config.js';
import { createPasswordHasher } from '../../src/crypto/passwords/hasher.js';
import { buildServer, type Server } from '../../src/server/app.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { FAST_HASHING, TEST_SECRET } from '../helpers/gatehouse.js';
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
