import { join, resolve } from 'node:path';
import { Unavailable } from './credentials.js';
import type { LoadDriver, LoadResult, LoadSpec, RequestSpec } from './load/index.js';
import { freePort, type ServerProcess, startProcess } from './process.js';
import type { CaseResult, Group, MemorySample } from './report.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface RunnerSettings {
  durationS: number;
  warmupS: number;
  connections: number;
  driver: LoadDriver;
  /** Case ids to run; null: all. */
  only: ReadonlySet<string> | null;
  log: (line: string) => void;
}

export interface CaseMeta {
  id: string;
  label: string;
  group: Group;
  expectsNon2xx?: boolean;
  /** Calibration cases: the CPU the bare route burns per request on purpose, µs. */
  workUs?: number;
}

export interface CaseOutcome {
  load: LoadResult;
  /** Server CPU per request over the measured run; absent when other load shared the server. */
  cpuUsPerRequest?: number;
  extra?: Record<string, number>;
}

/**
 * Runs cases one at a time and keeps their results: a case that cannot run (its route or scheme
 * is missing) is recorded as skipped with the reason, an unexpected error as failed, and the
 * bench goes on with the next case.
 */
export class Runner {
  readonly cases: CaseResult[] = [];
  readonly memory: MemorySample[] = [];
  /** Requests each server answered so far (warm-ups included), by server name. */
  readonly served = new Map<string, number>();
  readonly settings: RunnerSettings;

  constructor(settings: RunnerSettings) {
    this.settings = settings;
  }

  wants(id: string): boolean {
    return this.settings.only === null || this.settings.only.has(id);
  }

  private count(srv: ServerProcess, load: LoadResult): void {
    this.served.set(srv.name, (this.served.get(srv.name) ?? 0) + load.requests);
  }

  /** One load run against `srv`, counted towards what it served. */
  async load(
    srv: ServerProcess,
    spec: Omit<LoadSpec, 'origin' | 'durationS' | 'connections'> & Partial<LoadSpec>,
    /** Stops the run early; the result covers what ran. */
    signal?: AbortSignal,
  ) {
    const full: LoadSpec = {
      origin: srv.origin,
      durationS: this.settings.durationS,
      connections: this.settings.connections,
      ...spec,
    };
    const result = await this.settings.driver.run(full, signal ? { signal } : {});
    this.count(srv, result);
    return result;
  }

  /**
   * A warm-up run (JIT, caches, connection set-up), then the measured one, with the CPU the
   * server used per request during it.
   */
  async measure(
    srv: ServerProcess,
    spec: Omit<LoadSpec, 'origin' | 'durationS' | 'connections'> & Partial<LoadSpec>,
  ): Promise<CaseOutcome> {
    if (this.settings.warmupS > 0) await this.load(srv, { ...spec, durationS: this.settings.warmupS });
    return this.withCpu(srv, () => this.load(srv, spec));
  }

  /** Runs `fn` (one measured load) and adds the server CPU it cost per request. */
  async withCpu(srv: ServerProcess, fn: () => Promise<LoadResult>): Promise<CaseOutcome> {
    const cpuBefore = srv.cpuMs();
    const load = await fn();
    const cpuUsPerRequest = load.requests ? ((srv.cpuMs() - cpuBefore) * 1000) / load.requests : undefined;
    return { load, cpuUsPerRequest };
  }

  /** Runs one case (unless filtered out) and records its row. */
  async run(meta: CaseMeta, srv: ServerProcess | null, body: () => Promise<CaseOutcome>): Promise<void> {
    if (!this.wants(meta.id)) return;
    const server = srv?.name ?? '-';
    this.settings.log(`  ${meta.label} …`);
    try {
      const { load, extra, cpuUsPerRequest } = await body();
      this.cases.push({ ...meta, server, status: 'ok', load, extra, cpuUsPerRequest, rssKb: srv?.rssKb() });
      this.settings.log(
        `    ${Math.round(load.rps)} req/s, p50 ${load.p50Ms.toFixed(2)} ms, p99 ${load.p99Ms.toFixed(2)} ms` +
          (cpuUsPerRequest === undefined ? '' : `, ${cpuUsPerRequest.toFixed(1)} µs CPU/req`) +
          (load.non2xx ? `, ${load.non2xx} non-2xx` : ''),
      );
    } catch (err) {
      const reason = (err as Error).message.split('\n')[0]!;
      this.cases.push({ ...meta, server, status: err instanceof Unavailable ? 'skipped' : 'failed', reason });
      this.settings.log(`    ${err instanceof Unavailable ? 'skipped' : 'FAILED'}: ${reason}`);
    }
  }

  /** Records a case that could not even get a server. */
  unavailable(meta: CaseMeta, server: string, err: unknown): void {
    if (!this.wants(meta.id)) return;
    const reason = (err as Error).message.split('\n')[0]!;
    this.cases.push({ ...meta, server, status: err instanceof Unavailable ? 'skipped' : 'failed', reason });
  }

  /** Records the server's RSS and how many requests it has answered so far. */
  sampleMemory(srv: ServerProcess, after: string, range?: { min: number; max: number }): void {
    this.memory.push({
      after,
      requests: this.served.get(srv.name) ?? 0,
      rssKb: srv.rssKb(),
      ...(range ? { minRssKb: range.min, maxRssKb: range.max } : {}),
    });
  }
}

export type PeerName = 'bare' | 'fastify-jwt' | 'express-session';

const PEER_NAMES: Record<PeerName, string> = {
  bare: 'bare fastify',
  'fastify-jwt': 'fastify + @fastify/jwt',
  'express-session': 'express + express-session',
};

/** Starts one of bench/servers/*.mjs with plain node, runs `fn`, and always stops it. */
export async function withPeer(
  name: PeerName,
  fn: (srv: ServerProcess) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const port = await freePort();
  const srv = await startProcess({
    name: PEER_NAMES[name],
    command: process.execPath,
    args: [join(ROOT, 'bench/servers', `${name}.mjs`)],
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      BENCH_PORT: String(port),
      ...env,
    },
    port,
    ready: /listening on /,
  });
  try {
    await fn(srv);
  } finally {
    await srv.stop();
  }
}

/** GET /api/me/ once per credential header set; the generator cycles through them. */
export function meRequests(headers: readonly Record<string, string>[]): RequestSpec[] {
  return headers.map((h) => ({ method: 'GET', path: '/api/me/', headers: h }));
}

/** Memoises a credential fetch, so several cases share one set and a failure is reported by each. */
export function lazy<T>(fetch: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= fetch();
    return p;
  };
}
