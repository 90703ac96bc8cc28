import { spawnSync } from 'node:child_process';
import { autocannonDriver } from './autocannon.js';
import type { LoadDriver } from './types.js';
import { wrkDriver } from './wrk.js';

export type { LoadDriver, LoadResult, LoadSpec, RefreshChain, RequestSpec } from './types.js';

/** True when Debian's `wrk` is on the PATH. */
export function hasWrk(): boolean {
  const r = spawnSync('wrk', ['--version'], { stdio: 'ignore' });
  return r.error === undefined;
}

/**
 * wrk when installed (what the reference numbers were measured with), else autocannon;
 * `preferred` forces one.
 *
 * @example
 * const driver = pickDriver(); // wrkDriver on a machine with `apt-get install wrk`
 */
export function pickDriver(preferred?: string): LoadDriver {
  if (preferred === 'autocannon') return autocannonDriver;
  if (preferred === 'wrk') {
    if (!hasWrk()) throw new Error('--driver wrk: wrk is not installed (apt-get install wrk)');
    return wrkDriver;
  }
  if (preferred !== undefined) throw new Error(`--driver: expected wrk or autocannon, got ${preferred}`);
  return hasWrk() ? wrkDriver : autocannonDriver;
}
