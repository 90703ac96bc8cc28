import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/gatehouse.js');

// The CLI runs the built package, as an operator's install would; `npm test` builds first.
if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/main.js'))) {
  throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export { tempProject } from './temp.js';

/** Runs `gatehouse …` as a child process, as an operator would. */
export function runCli(
  args: string[],
  opts: { cwd: string; input?: string; env?: Record<string, string> },
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: opts.cwd, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

export interface RunningServer {
  child: ChildProcess;
  url: string;
  /** Everything the server printed so far, stdout then stderr. */
  output(): string;
  /** Its log stream so far. */
  stdout(): string;
  /** Its notices for the operator so far (the first admin's password, the start-up hint). */
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `gatehouse serve --port 0` and resolves with its address once it listens. */
export function startServe(opts: {
  cwd: string;
  env?: Record<string, string>;
  args?: string[];
}): Promise<RunningServer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...(opts.args ?? [])], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: opts.cwd, GATEHOUSE_LOG_LEVEL: 'warn', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}${err}`)), 20_000);
    let started = false;
    const check = () => {
      // The notice is on stderr; waiting for the hint line after it means both are complete.
      const m = /listening on (http:\/\/[^\s]+)\n.*\n/.exec(err);
      if (m && !started) {
        started = true;
        clearTimeout(timer);
        resolvePromise({
          child,
          url: m[1]!,
          output: () => out + err,
          stdout: () => out,
          stderr: () => err,
          stop: (signal = 'SIGTERM') =>
            new Promise((r) => {
              if (child.exitCode !== null) return r(child.exitCode);
              child.once('exit', (code) => r(code));
              child.kill(signal);
            }),
        });
      }
    };
    child.stderr.on('data', (d) => {
      err += d;
      check();
    });
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${out}${err}`));
    });
  });
}
