import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A server the bench started, as a child process of its own. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** From spawn to the "listening" line, in milliseconds. */
  readonly readyMs: number;
  /** Resident memory of the server process and its children now, in kB (from /proc). */
  rssKb(): number;
  /**
   * CPU time the server process and its children (all their threads) have used so far, in ms
   * (from /proc); a child that exits takes its share with it.
   */
  cpuMs(): number;
  /** What the process wrote to stderr so far (warnings, errors). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  /**
   * A line that says the server accepts connections, on stdout or stderr (`gatehouse serve`
   * writes its notices to stderr, stdout being the log stream).
   */
  ready: RegExp;
  timeoutMs?: number;
}

const running = new Set<ChildProcess>();

/** Kills `child` if the runner exits first (servers and load generators alike). */
export function trackChild(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

// Whatever happens to the runner (an error, Ctrl-C), no server it started outlives it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(130);
  });
}

/** A port the kernel just handed out on 127.0.0.1, free when this returns. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A process's resident set from /proc/<pid>/status (`VmRSS`), in kB; 0 when it is gone. */
export function rssKbOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

let ticksPerSecond: number | undefined;

/**
 * CPU time used by a process and all its threads (user + system), in ms, from /proc/<pid>/stat;
 * 0 when it is gone. Unlike a rate, it does not depend on what else the machine runs, so CPU per
 * request compares across busy and idle runs.
 */
export function cpuMsOf(pid: number): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/**
 * `pid` and every process below it (`gatehouse serve --workers N` forks its workers), from the
 * parent pid field of /proc/<pid>/stat.
 */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(ppid, [...(parentOf.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone between the listing and the read.
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(parentOf.get(out[i]!) ?? []));
  return out;
}

const sum = (pids: readonly number[], of: (pid: number) => number): number =>
  pids.reduce((total, p) => total + of(p), 0);

/**
 * Spawns a server and resolves once it prints its ready line; rejects with its output when it
 * exits first or does not get ready in time.
 *
 * @example
 * const srv = await startProcess({ name: 'bare', command: process.execPath, args: ['bench/servers/bare.ts'], … });
 */
export function startProcess(opts: StartOptions): Promise<ServerProcess> {
  const started = performance.now();
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let out = '';
  let err = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise<ServerProcess>((resolve, reject) => {
    let done = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      void stop();
      reject(new Error(`${opts.name}: ${why}\n${out}${err}`.trimEnd()));
    };
    const timer = setTimeout(() => fail('not ready in time'), opts.timeoutMs ?? 30_000);
    const onOutput = () => {
      if (done || !(opts.ready.test(out) || opts.ready.test(err))) return;
      done = true;
      clearTimeout(timer);
      const readyMs = performance.now() - started;
      resolve({
        name: opts.name,
        pid: child.pid!,
        origin: `http://127.0.0.1:${opts.port}`,
        readyMs,
        // The whole tree: a server with workers is its primary and every worker.
        rssKb: () => sum(processTree(child.pid!), rssKbOf),
        cpuMs: () => sum(processTree(child.pid!), cpuMsOf),
        stderr: () => err,
        stop,
      });
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      onOutput();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      onOutput();
    });
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(`exited (${signal ?? code}) before it was ready`);
    });
  });
}
