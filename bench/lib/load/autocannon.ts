import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackChild } from '../process.js';
import type { LoadDriver, LoadResult, LoadSpec } from './types.js';

const WORKER = join(import.meta.dirname, 'autocannon-worker.ts');

interface WorkerOutput {
  requests: number;
  durationS: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

/**
 * autocannon (a devDependency) in a child process, for machines without wrk. It is a Node
 * program, so it needs more CPU than wrk for the same rate: on a 2-core machine its numbers are
 * lower for every server alike; compare ratios, not absolute rates, across drivers.
 */
export const autocannonDriver: LoadDriver = {
  name: 'autocannon',
  run(spec: LoadSpec, options: { signal?: AbortSignal } = {}): Promise<LoadResult> {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-autocannon-'));
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    return new Promise<LoadResult>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'jiti/register', WORKER, file], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
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
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (!line) {
          reject(new Error(`autocannon worker exited with ${code} and no result:\n${out}${err}`));
          return;
        }
        const r = JSON.parse(line) as WorkerOutput;
        resolve({
          driver: 'autocannon',
          requests: r.requests,
          durationS: r.durationS,
          rps: r.requests / r.durationS,
          p50Ms: r.p50,
          p90Ms: r.p90,
          p99Ms: r.p99,
          maxMs: r.max,
          non2xx: r.non2xx,
          errors: r.errors,
        });
      });
    });
  },
};
