import type { LoadResult } from './load/types.js';
import type { PerRequest } from './services.js';

export type Group = 'baseline' | 'calibration' | 'gatehouse' | 'peer';

/** One row of the table: a case against gatehouse, the bare route, or a peer. */
export interface CaseResult {
  id: string;
  label: string;
  group: Group;
  /** Which process answered: `gatehouse (main)`, `bare fastify`, `express-session`, … */
  server: string;
  status: 'ok' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  reason?: string;
  load?: LoadResult;
  /** req/s divided by the bare route's req/s in the same run. */
  ratio?: number;
  /** RSS of the server right after the case, kB. */
  rssKb?: number;
  /** CPU the server process used per request in the measured run (all threads), µs. */
  cpuUsPerRequest?: number;
  /** Non-2xx answers are the point of this case (an anonymous request to a protected route). */
  expectsNon2xx?: boolean;
  /** Anything else the case measured (e.g. the login rate while /api/me/ was loaded). */
  extra?: Record<string, number>;
  /** Calibration cases: the CPU each request of the bare route burns on purpose, µs. */
  workUs?: number;
}

export interface MemorySample {
  /** After which case, or which memory round (`round 3`). */
  after: string;
  /** Requests the gatehouse (main) server had answered when sampled. */
  requests: number;
  rssKb: number;
  /**
   * Memory rounds only: the lowest and highest RSS seen while the round ran (sampled every
   * 250 ms). RSS swings with the garbage collector; the lowest is closest to what is retained.
   */
  minRssKb?: number;
  maxRssKb?: number;
}

export interface BenchReport {
  date: string;
  commit: string;
  machine: { cpus: number; model: string; node: string; loadBefore: number[]; loadAfter: number[] };
  driver: string;
  settings: { durationS: number; warmupS: number; connections: number; users: number };
  /** The bare route's req/s the ratios are taken against (mean of its runs). */
  bareRps: number | null;
  /**
   * The bare route's server CPU per request (mean of its runs), µs: a case's CPU per request
   * minus this is what gatehouse itself costs, whatever else the machine was doing.
   */
  bareCpuUs: number | null;
  readyMs: Record<string, number>;
  cases: CaseResult[];
  memory: MemorySample[];
  notes: string[];
  /**
   * `--production` only: PostgreSQL statements and Redis commands per request of each case
   * there, by case id.
   */
  roundTrips?: Record<string, PerRequest>;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

const ms = (n: number): string => n.toFixed(2);

/** The targets of issue 9, against what this run measured (null: the case did not run). */
export function checkTargets(r: BenchReport): TargetCheck[] {
  const byId = new Map(r.cases.map((c) => [c.id, c]));
  const out: TargetCheck[] = [];
  const ratio = (id: string, min: number, label: string) => {
    const c = byId.get(id);
    const v = c?.status === 'ok' ? c.ratio : undefined;
    out.push({
      target: `${label}: ratio >= ${min.toFixed(2)}`,
      measured: v === undefined ? `not run${c?.reason ? ` (${c.reason})` : ''}` : v.toFixed(2),
      met: v === undefined ? null : v >= min,
    });
  };
  ratio('jwt-hs256', 0.6, 'JWT HS256 user checked');
  ratio('jwt-hs256-stateless', 0.8, 'JWT HS256 stateless');
  ratio('jwt-es256', 0.5, 'JWT ES256 user checked');
  ratio('jwt-eddsa', 0.5, 'JWT EdDSA user checked');
  ratio('token', 0.5, 'API token (SQLite)');
  ratio('session', 0.5, 'session cookie (SQLite)');

  // The authenticated /api/me/ cases; the one measured under a login storm has its own target,
  // and issue 9's targets are the SQLite server's: `--production`'s cases (pg-…, lb-…, sql-…,
  // workers-…) are reported beside them, not held to them.
  const me = r.cases.filter(
    (c) =>
      c.group === 'gatehouse' &&
      c.status === 'ok' &&
      c.label.includes('/api/me/') &&
      !c.expectsNon2xx &&
      c.id !== 'me-under-logins' &&
      !/^(pg|lb|workers|sql)-/.test(c.id),
  );
  const worst = me.reduce<CaseResult | null>((a, c) => (!a || c.load!.p99Ms > a.load!.p99Ms ? c : a), null);
  out.push({
    target: 'p99 of every /api/me/ case at 32 connections <= 5 ms',
    measured: worst ? `worst ${ms(worst.load!.p99Ms)} ms (${worst.id})` : 'not run',
    met: worst ? worst.load!.p99Ms <= 5 : null,
  });

  const logins = byId.get('logins');
  out.push({
    target: 'logins/s (argon2id, OWASP parameters) >= 60',
    measured: logins?.status === 'ok' ? `${logins.load!.rps.toFixed(1)}/s` : 'not run',
    met: logins?.status === 'ok' ? logins.load!.rps >= 60 : null,
  });
  const under = byId.get('me-under-logins');
  out.push({
    target: '/api/me/ p99 while logins saturate the hashing pool <= 10 ms',
    measured: under?.status === 'ok' ? `${ms(under.load!.p99Ms)} ms` : 'not run',
    met: under?.status === 'ok' ? under.load!.p99Ms <= 10 : null,
  });

  const after1M = r.memory.find((s) => s.requests >= 1_000_000);
  out.push({
    target: 'RSS after 1M requests <= 150 MB',
    measured: after1M
      ? `${(after1M.rssKb / 1024).toFixed(1)} MB after ${after1M.requests.toLocaleString('en-US')} requests`
      : 'fewer than 1M requests served',
    met: after1M ? after1M.rssKb <= 150 * 1024 : null,
  });
  // Compared by each round's lowest RSS: a sample that lands just before a collection says little.
  const tail = r.memory.filter((s) => s.after.startsWith('round')).slice(-3);
  if (tail.length >= 2) {
    const low = (s: MemorySample) => s.minRssKb ?? s.rssKb;
    const growth = low(tail[tail.length - 1]!) / low(tail[0]!) - 1;
    out.push({
      target: 'RSS flat across repeated runs (lowest RSS of the last rounds within 10%)',
      measured: `${tail.map((s) => `${(low(s) / 1024).toFixed(1)}`).join(' -> ')} MB (${(growth * 100).toFixed(1)}%)`,
      met: growth <= 0.1,
    });
  }
  const ready = r.readyMs.main;
  out.push({
    target: '`gatehouse serve` ready < 1 s',
    measured: ready === undefined ? 'not run' : `${Math.round(ready)} ms`,
    met: ready === undefined ? null : ready < 1000,
  });
  return out;
}

/** Columns padded to their widest cell; `left` columns are text, the others numbers. */
function pad(cells: string[][], left: ReadonlySet<number>): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row
        .map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The work per request that would slow the bare route to `rps` on this machine in this run, read
 * off the calibration cases (the bare route burning 5, 10, 20 µs per request) by interpolating
 * the time per request linearly between them (and past the last two). Undefined without them.
 */
export function workEquivalentUs(r: BenchReport, rps: number): number | undefined {
  if (r.bareRps === null) return undefined;
  const points = [
    { work: 0, perRequest: 1 / r.bareRps },
    ...r.cases
      .filter((c) => c.group === 'calibration' && c.status === 'ok' && c.workUs !== undefined)
      .map((c) => ({ work: c.workUs!, perRequest: 1 / c.load!.rps })),
  ].sort((a, b) => a.work - b.work);
  if (points.length < 2) return undefined;
  const t = 1 / rps;
  let i = 0;
  while (i < points.length - 2 && t > points[i + 1]!.perRequest) i++;
  const a = points[i]!;
  const b = points[i + 1]!;
  if (b.perRequest === a.perRequest) return undefined;
  return Math.max(0, a.work + ((t - a.perRequest) * (b.work - a.work)) / (b.perRequest - a.perRequest));
}

/** The results as a fixed-width text table (what `npm run bench` prints). */
export function formatTable(r: BenchReport): string {
  const rows: string[][] = [
    [
      'case',
      'server',
      'req/s',
      'p50 ms',
      'p99 ms',
      'ratio',
      'CPU µs/req',
      '+µs vs bare',
      '≈ work µs',
      'RSS MB',
      'note',
    ],
  ];
  for (const c of r.cases) {
    if (c.status !== 'ok') {
      rows.push([
        c.label,
        c.server,
        '-',
        '-',
        '-',
        '-',
        '-',
        '-',
        '-',
        '-',
        `${c.status}: ${c.reason ?? ''}`,
      ]);
      continue;
    }
    const work = c.group === 'gatehouse' || c.group === 'peer' ? workEquivalentUs(r, c.load!.rps) : undefined;
    const l = c.load!;
    const notes: string[] = [];
    if (l.non2xx && !c.expectsNon2xx) notes.push(`${l.non2xx} non-2xx!`);
    if (c.expectsNon2xx) notes.push('refused (expected)');
    if (l.errors) notes.push(`${l.errors} socket errors`);
    for (const [k, v] of Object.entries(c.extra ?? {}))
      notes.push(`${k} ${Number.isInteger(v) ? v : v.toFixed(1)}`);
    rows.push([
      c.label,
      c.server,
      l.rps >= 100 ? Math.round(l.rps).toString() : l.rps.toFixed(1),
      ms(l.p50Ms),
      ms(l.p99Ms),
      c.ratio === undefined ? '-' : c.ratio.toFixed(2),
      c.cpuUsPerRequest === undefined ? '-' : c.cpuUsPerRequest.toFixed(1),
      c.cpuUsPerRequest === undefined || r.bareCpuUs === null || c.group === 'baseline'
        ? '-'
        : `${c.cpuUsPerRequest - r.bareCpuUs >= 0 ? '+' : ''}${(c.cpuUsPerRequest - r.bareCpuUs).toFixed(1)}`,
      work === undefined ? '-' : work.toFixed(1),
      c.rssKb ? (c.rssKb / 1024).toFixed(0) : '-',
      notes.join('; '),
    ]);
  }
  return pad(rows, new Set([0, 1, 10]));
}

/** The targets as a text table. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  const mark = (m: boolean | null) => (m === null ? 'n/a' : m ? 'met' : 'NOT MET');
  return pad(
    [['target', 'measured', ''], ...checks.map((c) => [c.target, c.measured, mark(c.met)])],
    new Set([0, 1, 2]),
  );
}
