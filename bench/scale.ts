/**
 * `npm run bench:scale`: does gatehouse stay fast with big tables, and can expired rows be
 * flushed under load?
 *
 * 1. /api/me/ with API tokens and session cookies on small tables (the seeded users only);
 * 2. the same after 1M live sessions and 1M live API tokens are added (target: within 10%);
 * 3. 1M expired rows (500k sessions + 500k API tokens) are added, and `gatehouse flush-expired`
 *    deletes them in batches while /api/me/ is under load (target: p99 under 50 ms meanwhile).
 *
 * Credentials are obtained over HTTP before the bulk rows exist, and reused after each restart.
 * Writes bench/results/<date>-scale.json.
 *
 *   npm run bench:scale -- [--rows 1000000] [--duration 10] [--warmup 3] [--no-build] [--keep]
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { countExpired, seedBulk } from './lib/bulk.js';
import { apiToken, expectMe, sessionCookie } from './lib/credentials.js';
import { GATEHOUSE_BIN, gatehouseEnv, startGatehouse, variantDir, variants } from './lib/gatehouse.js';
import { pickDriver } from './lib/load/index.js';
import type { LoadResult } from './lib/load/types.js';
import { meRequests, Runner } from './lib/runner.js';
import { seedUsers } from './lib/seed.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    driver: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/results') },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const rows = Number(values.rows);
const driver = pickDriver(values.driver);
const runner = new Runner({
  durationS: Number(values.duration),
  warmupS: Number(values.warmup),
  connections: Number(values.connections),
  driver,
  only: null,
  log,
});

if (!values['no-build']) {
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scale-'));
const databaseUrl = `sqlite:${join(dir, 'gatehouse.db')}`;
const secretKey = randomBytes(36).toString('base64url');
const variant = variants().main;
const authentication = ['session', 'token', 'jwt'];
const bench = { dir, databaseUrl, secretKey, variant, authentication };
const fmt = (l: LoadResult) =>
  `${Math.round(l.rps)} req/s, p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms, max ${l.maxMs.toFixed(1)} ms` +
  (l.non2xx ? `, ${l.non2xx} non-2xx` : '');

type Kind = 'token' | 'session';
const results: Record<string, unknown> = { rows, driver: driver.name };
try {
  log(`Scale mode: ${rows.toLocaleString('en-US')} rows per table; work dir ${dir}`);
  const users = await seedUsers(databaseUrl, 8, secretKey);

  // 1. Small tables; the credentials made here are reused after each restart.
  let srv = await startGatehouse(bench);
  const headers: Partial<Record<Kind, Record<string, string>[]>> = {};
  headers.token = (await Promise.all(users.map((u) => apiToken(srv.origin, u)))).map((k) => ({
    authorization: `Token ${k}`,
  }));
  if (srv.authentication.includes('session')) {
    headers.session = (await Promise.all(users.map((u) => sessionCookie(srv.origin, u)))).map((c) => ({
      cookie: c,
    }));
  } else {
    results.sessionSkipped = srv.missing;
    log(`  session cases skipped: ${srv.missing}`);
  }
  const kinds = (Object.keys(headers) as Kind[]).filter((k) => headers[k]);
  const measureAll = async (phase: string) => {
    const out: Partial<Record<Kind, LoadResult & { cpuUsPerRequest: number }>> = {};
    for (const kind of kinds) {
      await expectMe(srv.origin, headers[kind]![0]!, kind);
      const { load, cpuUsPerRequest } = await runner.measure(srv, { requests: meRequests(headers[kind]!) });
      out[kind] = { ...load, cpuUsPerRequest: cpuUsPerRequest ?? 0 };
      log(`  ${phase} ${kind}: ${fmt(load)}, ${(cpuUsPerRequest ?? 0).toFixed(1)} µs CPU/req`);
    }
    return out;
  };
  const small = await measureAll('small tables');
  await srv.stop();

  // 2. A million live rows per table.
  log(`Seeding ${rows.toLocaleString('en-US')} live sessions and API tokens …`);
  const liveMs = await seedBulk({
    databaseUrl,
    tag: 'live',
    count: rows,
    expiresAt: Date.now() + 30 * 86_400_000,
  });
  log(`  ${(liveMs / 1000).toFixed(1)} s`);
  srv = await startGatehouse(bench);
  const large = await measureAll('large tables');
  const ratios: Record<string, number> = {};
  for (const kind of kinds) ratios[kind] = large[kind]!.rps / small[kind]!.rps;
  Object.assign(results, { liveSeedMs: liveMs, small, large, largeToSmall: ratios });
  await srv.stop();

  // 3. A million expired rows, flushed under load.
  const half = Math.floor(rows / 2);
  log(`Seeding ${(2 * half).toLocaleString('en-US')} expired rows (${half} sessions + ${half} API tokens) …`);
  const expiredMs = await seedBulk({ databaseUrl, tag: 'old', count: half, expiresAt: Date.now() - 60_000 });
  log(`  ${(expiredMs / 1000).toFixed(1)} s`);
  srv = await startGatehouse(bench);
  const mixed = kinds.flatMap((k) => headers[k]!);
  await runner.load(srv, { requests: meRequests(mixed), durationS: runner.settings.warmupS });
  const stop = new AbortController();
  // Long enough for any flush; stopped (and summarised) as soon as the flush exits.
  const during = runner.load(srv, { requests: meRequests(mixed), durationS: 900 }, stop.signal);
  const started = performance.now();
  const flush = await new Promise<{ code: number | null; out: string }>((done) => {
    const child = spawn(process.execPath, [GATEHOUSE_BIN, 'flush-expired'], {
      cwd: variantDir(dir, variant),
      env: gatehouseEnv({ secretKey, databaseUrl, authentication: srv.authentication }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('close', (code) => done({ code, out: out.trim() }));
  });
  const flushMs = performance.now() - started;
  stop.abort();
  const underFlush = await during;
  await srv.stop();
  const left = await countExpired(databaseUrl, Date.now());
  log(`  flush-expired: exit ${flush.code} in ${(flushMs / 1000).toFixed(1)} s: ${flush.out}`);
  log(`  /api/me/ during the flush: ${fmt(underFlush)}; expired rows left: ${left}`);
  Object.assign(results, {
    expiredSeedMs: expiredMs,
    flush: { ...flush, ms: flushMs, expiredLeft: left },
    underFlush,
  });

  log('\nTargets:');
  for (const kind of kinds) {
    const r = ratios[kind]!;
    log(
      `  /api/me/ ${kind} with ${rows.toLocaleString('en-US')} rows within 10% of small tables: ${r.toFixed(2)} ${r >= 0.9 ? 'met' : 'NOT MET'}`,
    );
  }
  log(
    `  p99 under 50 ms while flush-expired runs: ${underFlush.p99Ms.toFixed(2)} ms ${underFlush.p99Ms < 50 ? 'met' : 'NOT MET'}`,
  );
  log(`  every expired row deleted: ${left === 0 ? 'yes' : `no, ${left} left`}`);
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
mkdirSync(values.out, { recursive: true });
const file = join(values.out, `${new Date().toISOString().slice(0, 10)}-scale.json`);
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2)}\n`);
log(`Wrote ${file}`);
