/** One HTTP request a load generator sends; a case cycles through a list of them. */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * A refresh chain: every response's new refresh token is spent by a later request, so each
 * token is presented exactly once (rotation with reuse detection refuses a second use).
 */
export interface RefreshChain {
  path: string;
  /** Refresh tokens to start from; more than the connections, so none waits for a response. */
  pool: string[];
}

/** What to run against one server. */
export interface LoadSpec {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  connections: number;
  durationS: number;
  /** Cycled in order; ignored when `chain` is set. */
  requests: RequestSpec[];
  chain?: RefreshChain;
}

/** What one run measured. Latencies in milliseconds, as the generator saw them. */
export interface LoadResult {
  driver: 'wrk' | 'autocannon';
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Responses outside 2xx/3xx. */
  non2xx: number;
  /** Connect/read/write errors and timeouts. */
  errors: number;
}

/** A load generator that runs as its own process; `stop` ends a run early (still reporting). */
export interface LoadDriver {
  readonly name: 'wrk' | 'autocannon';
  run(spec: LoadSpec, options?: { signal?: AbortSignal }): Promise<LoadResult>;
}
