/**
 * `npm run bench`: builds, then measures one server at a time — a bare Fastify route, the
 * gatehouse server (`gatehouse serve`, production, logs at warn, a fresh SQLite file seeded with
 * users) and the peers — with wrk (or autocannon) in a separate process, after a warm-up. Prints
 * a table (req/s, p50, p99, ratio to the bare route) and the targets, and writes
 * bench/results/<date>.json and .svg. See docs/performance.md.
 *
 * `--production` measures the /api/me/ cases and the refresh chain on SQLite and then on
 * PostgreSQL + Redis (its own servers, started and stopped here): one instance, two behind
 * HAProxy, `--workers 2`; it writes bench/results/<date>-production.json and .svg.
 *
 *   npm run bench -- [--duration 10] [--warmup 3] [--connections 32] [--driver wrk|autocannon]
 *                    [--only jwt-hs256,token] [--no-build] [--keep] [--profile] [--production]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gatehouseCases, variantCases } from './lib/gatehouse-cases.js';
import { pickDriver } from './lib/load/index.js';
import { peerCases } from './lib/peer-cases.js';
import { formatRoundTrips, PRODUCTION_CASE_IDS, productionCases } from './lib/production.js';
import { summarizeProfiles } from './lib/profile.js';
import { type BenchReport, checkTargets, formatTable, formatTargets } from './lib/report.js';
import { Runner } from './lib/runner.js';
import { seedUsers } from './lib/seed.js';
import { type BenchServices, type PerRequest, startServices } from './lib/services.js';
import { barChart } from './lib/svg.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    users: { type: 'string', default: '32' },
    driver: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/results') },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    production: { type: 'boolean', default: false },
  },
});
/**
 * What `--production` runs unless `--only` says otherwise: the bare route and the calibration
 * (for the ratio and the work column), the same four cases on SQLite, and the production ones.
 */
const PRODUCTION_DEFAULT = [
  'bare',
  'bare-again',
  'bare-work-5',
  'bare-work-10',
  'bare-work-20',
  'jwt-hs256',
  'token',
  'session',
  'refresh',
  ...PRODUCTION_CASE_IDS,
];
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const number = (name: string, value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a number, got ${value}`);
  return n;
};

const driver = pickDriver(values.driver);
const runner = new Runner({
  durationS: number('duration', values.duration),
  warmupS: number('warmup', values.warmup),
  connections: number('connections', values.connections),
  driver,
  only: values.only
    ? new Set(values.only.split(',').map((s) => s.trim()))
    : values.production
      ? new Set(PRODUCTION_DEFAULT)
      : null,
  log,
});
const userCount = number('users', values.users);

if (!values['no-build']) {
  log('Building (npm run build) …');
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed; the bench measures the built server');
}

const loadBefore = loadavg();
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const databaseUrl = `sqlite:${join(dir, 'gatehouse.db')}`;
const secretKey = randomBytes(36).toString('base64url');
const notes: string[] = [];
const readyMs: Record<string, number> = {};
// Profiles slow the server down: a profiled run is for finding where time goes, not for the table.
const profileDir = values.profile ? mkdtempSync(join(tmpdir(), 'gatehouse-profiles-')) : undefined;
if (profileDir) notes.push(`Servers ran under --cpu-prof (slower than normal); profiles in ${profileDir}.`);
const roundTrips: Record<string, PerRequest> = {};
let services: BenchServices | undefined;
try {
  log(
    `Load generator: ${driver.name}, 1 thread, ${runner.settings.connections} connections, ` +
      `${runner.settings.warmupS} s warm-up + ${runner.settings.durationS} s per case. Work dir: ${dir}`,
  );
  log(`Seeding ${userCount} users (argon2id, OWASP parameters) …`);
  const users = await seedUsers(databaseUrl, userCount, secretKey);

  log('Bare Fastify route:');
  await peerCases(runner, 'bare');
  log('gatehouse:');
  await gatehouseCases(runner, { dir, databaseUrl, secretKey, users, readyMs, notes, profileDir });
  await variantCases(runner, { dir, databaseUrl, secretKey, users, readyMs, notes, profileDir });
  if (values.production) {
    log('Starting PostgreSQL and Redis (scripts/services.sh, private directory and ports) …');
    services = await startServices();
    log(`Seeding ${userCount} users in PostgreSQL …`);
    const pgUsers = await seedUsers(services.postgresUrl, userCount, secretKey);
    log('gatehouse on PostgreSQL + Redis:');
    await productionCases(runner, { dir, secretKey, users: pgUsers, services, readyMs, notes, roundTrips });
    await services.stop();
    services = undefined;
  }
  log('Peers:');
  await peerCases(runner, 'fastify-jwt');
  await peerCases(runner, 'express-session');
  log('Calibration: the bare route with a fixed amount of work per request:');
  for (const us of [5, 10, 20] as const) await peerCases(runner, `bare-work-${us}`);
  log('Bare Fastify route, again (the ratio uses the mean of both runs):');
  await peerCases(runner, 'bare-again');
} finally {
  await services?.stop();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}

const bare = runner.cases.filter((c) => c.group === 'baseline' && c.status === 'ok');
const bareRps = bare.length ? bare.reduce((s, c) => s + c.load!.rps, 0) / bare.length : null;
const bareCpu = bare.filter((c) => c.cpuUsPerRequest !== undefined);
const bareCpuUs = bareCpu.length
  ? bareCpu.reduce((s, c) => s + c.cpuUsPerRequest!, 0) / bareCpu.length
  : null;
if (bareRps) for (const c of runner.cases) if (c.status === 'ok') c.ratio = c.load!.rps / bareRps;
if (bare.length === 2) {
  const [a, b] = bare.map((c) => c.load!.rps) as [number, number];
  const spread = Math.abs(a - b) / Math.max(a, b);
  // The same server, the same load, minutes apart: a gap means something else took the CPU.
  if (spread > 0.15) {
    notes.push(
      `The machine was busy: the bare route answered ${Math.round(a)} req/s first and ${Math.round(b)} req/s last ` +
        `(${Math.round(spread * 100)}% apart); ratios are unreliable in this run. Load average before/after: ` +
        `${loadBefore.map((l) => l.toFixed(1)).join(' ')} / ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}.`,
    );
  }
}
if (driver.name === 'autocannon') {
  notes.push(
    'autocannon drove the load (wrk is not installed, or --driver autocannon): a Node program, it takes more of the CPU the servers share, and its latencies are whole milliseconds.',
  );
}
notes.push(
  'Reference numbers from issue 9 on this class of machine (not measured here): Express + passport-jwt ~1.7k req/s, DRF + simplejwt under gunicorn ~1.1k req/s for every scheme.',
);
const now = new Date();
const report: BenchReport = {
  date: now.toISOString(),
  commit: gitCommit(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadBefore,
    loadAfter: loadavg(),
  },
  driver: driver.name,
  settings: { ...pick(runner.settings), users: userCount },
  bareRps,
  bareCpuUs,
  readyMs,
  cases: runner.cases,
  memory: runner.memory,
  notes,
  ...(values.production ? { roundTrips } : {}),
};
const targets = checkTargets(report);

log('');
log(formatTable(report));
log('');
log(formatTargets(targets));
for (const n of notes) log(`note: ${n}`);
if (profileDir) log(`\nWhere the gatehouse servers' CPU went:\n${summarizeProfiles(profileDir)}`);
if (values.production)
  log(`\nStore round trips per request (measured runs):\n${formatRoundTrips(roundTrips)}`);

mkdirSync(values.out, { recursive: true });
const stem = join(values.out, `${now.toISOString().slice(0, 10)}${values.production ? '-production' : ''}`);
writeFileSync(`${stem}.json`, `${JSON.stringify({ ...report, targets }, null, 2)}\n`);
const bars = runner.cases
  .filter((c) => c.status === 'ok')
  .map((c) => ({ label: `${c.label} [${c.server}]`, value: c.load!.rps, group: c.group }));
const subtitle = `${driver.name}, ${report.settings.connections} connections, ${report.machine.cpus} × ${report.machine.model}, Node ${process.version}, ${report.commit.slice(0, 10)}`;
writeFileSync(`${stem}.svg`, barChart('gatehouse: requests per second per case and peer', bars, subtitle));
log(`\nWrote ${stem}.json and ${stem}.svg`);

function pick(s: typeof runner.settings) {
  return { durationS: s.durationS, warmupS: s.warmupS, connections: s.connections };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
