import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackChild } from '../process.js';
import type { LoadDriver, LoadResult, LoadSpec, RequestSpec } from './types.js';

const MARKER = '@@RESULT ';

/** Lua string literal; the values we send (tokens, JSON bodies) are printable ASCII. */
function lua(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`wrk: non-printable characters in ${value}`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function luaRequest(r: RequestSpec): string {
  const headers = Object.entries(r.headers)
    .map(([k, v]) => `[${lua(k)}] = ${lua(v)}`)
    .join(', ');
  return `wrk.format(${lua(r.method)}, ${lua(r.path)}, { ${headers} }, ${r.body === undefined ? 'nil' : lua(r.body)})`;
}

// Percentiles come from wrk's own histogram (microseconds); `done` runs once, after every thread.
const DONE = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARKER}{"requests":%.0f,"duration_us":%.0f,"p50":%.0f,"p90":%.0f,"p99":%.0f,"max":%.0f,"status":%.0f,"errors":%.0f}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
`;

/**
 * The script for one case. Requests are formatted once in `init` and cycled in `request`, so
 * every case (the bare route included) pays the same per-request cost in the generator.
 */
export function wrkScript(spec: LoadSpec): string {
  if (spec.chain) {
    const { path, pool } = spec.chain;
    // One Lua state per thread and one thread: the pool is shared by the connections. A response
    // precedes its connection's next request, so the pool never runs dry while refreshes succeed.
    return `
local pool = { ${pool.map(lua).join(', ')} }
function request()
  local t = table.remove(pool) or "exhausted"
  return wrk.format("POST", ${lua(path)}, { ["Content-Type"] = "application/json" }, '{"refresh":"' .. t .. '"}')
end
function response(status, headers, body)
  local r = string.match(body, '"refresh"%s*:%s*"([^"]+)"')
  if r then table.insert(pool, 1, r) end
end
${DONE}`;
  }
  return `
local reqs = {}
local n = 0
local i = 0
function init(args)
${spec.requests.map((r, k) => `  reqs[${k + 1}] = ${luaRequest(r)}`).join('\n')}
  n = #reqs
end
function request()
  i = i + 1
  if i > n then i = 1 end
  return reqs[i]
end
${DONE}`;
}

interface WrkOutput {
  requests: number;
  duration_us: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  status: number;
  errors: number;
}

/**
 * wrk (Debian's `wrk` package) with one thread, as the issue measured the peers. It runs as its
 * own process; SIGINT makes it stop early and still print its summary.
 */
export const wrkDriver: LoadDriver = {
  name: 'wrk',
  run(spec: LoadSpec, options: { signal?: AbortSignal } = {}): Promise<LoadResult> {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-wrk-'));
    const script = join(dir, 'case.lua');
    writeFileSync(script, wrkScript(spec));
    const args = [
      '-t1',
      `-c${spec.connections}`,
      `-d${spec.durationS}s`,
      // Logins queue behind argon2: a slow answer is a data point, not an error.
      '--timeout',
      '10s',
      '-s',
      script,
      spec.origin,
    ];
    return new Promise<LoadResult>((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      trackChild(child);
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const onAbort = () => child.kill('SIGINT');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', reject);
      child.on('close', (code) => {
        options.signal?.removeEventListener('abort', onAbort);
        rmSync(dir, { recursive: true, force: true });
        const line = out.split('\n').find((l) => l.startsWith(MARKER));
        if (!line) {
          reject(new Error(`wrk exited with ${code} and no result:\n${out}${err}`));
          return;
        }
        const r = JSON.parse(line.slice(MARKER.length)) as WrkOutput;
        const durationS = r.duration_us / 1e6;
        resolve({
          driver: 'wrk',
          requests: r.requests,
          durationS,
          rps: r.requests / durationS,
          p50Ms: r.p50 / 1000,
          p90Ms: r.p90 / 1000,
          p99Ms: r.p99 / 1000,
          maxMs: r.max / 1000,
          non2xx: r.status,
          errors: r.errors,
        });
      });
    });
  },
};
