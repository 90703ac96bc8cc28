import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { announceListening, type FirstRun, prepareStores, type StartOptions } from '../serve.js';
import { RestartBackoff } from './backoff.js';
import { assertSharedStores } from './workers.js';

/** The program each worker runs (this folder's worker.ts, built). */
const WORKER_FILE = fileURLToPath(new URL('./worker.js', import.meta.url));
/** How long the workers get to drain on SIGTERM; each gives itself 10 s, this is the backstop. */
const STOP_TIMEOUT_MS = 15_000;

export interface ClusterOptions extends StartOptions {
  /** Where the workers run: relative SQLite paths and the config file resolve against it. */
  cwd: string;
  /** The config file named by `--config`, which each worker loads again. */
  configPath?: string | undefined;
  /** How many workers (`workerCount(config.server.workers)`), more than one. */
  workers: number;
}

/**
 * `gatehouse serve --workers N`: prepares the stores once (migrations, the first admin), then
 * runs N worker processes on `node:cluster`, sharing one port. A worker that dies is started
 * again, after a back-off when it keeps dying; SIGTERM or SIGINT drains every worker. Resolves
 * with the exit code once the last worker is gone: 0 after a clean stop, 1 when a worker failed
 * to start (every other is stopped then) or did not stop cleanly.
 *
 * @example
 * process.exitCode = await runCluster({ ...project, env, cwd, workers: 4 });
 */
export async function runCluster(opts: ClusterOptions): Promise<number> {
  assertSharedStores(opts.config, opts.cwd);
  const notice = opts.notice ?? ((text: string) => process.stderr.write(`${text}\n`));
  const firstRun = await prepareStores({ ...opts, notice });
  cluster.setupPrimary({
    exec: WORKER_FILE,
    args: opts.configPath === undefined ? [] : [opts.configPath],
    cwd: opts.cwd,
  });
  return new Supervisor(opts, notice, firstRun).run();
}

interface Slot {
  worker: Worker | null;
  startedAt: number;
  readonly backoff: RestartBackoff;
  restart?: NodeJS.Timeout | undefined;
}

type State = 'starting' | 'running' | 'stopping';

/** Keeps N workers running until told to stop. */
class Supervisor {
  readonly #slots: Slot[];
  #state: State = 'starting';
  #listening = 0;
  #exitCode = 0;
  #deadline: NodeJS.Timeout | undefined;
  #done: (code: number) => void = () => {};
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    this.#notice(`gatehouse: ${signal} received, stopping the workers`);
    this.#stop(0);
  };

  readonly #opts: ClusterOptions;
  readonly #notice: (text: string) => void;
  readonly #firstRun: FirstRun;

  constructor(opts: ClusterOptions, notice: (text: string) => void, firstRun: FirstRun) {
    this.#opts = opts;
    this.#notice = notice;
    this.#firstRun = firstRun;
    this.#slots = Array.from({ length: opts.workers }, () => ({
      worker: null,
      startedAt: 0,
      backoff: new RestartBackoff(),
    }));
  }

  run(): Promise<number> {
    return new Promise((resolve) => {
      this.#done = resolve;
      process.on('SIGTERM', this.#onSignal);
      process.on('SIGINT', this.#onSignal);
      for (const slot of this.#slots) this.#fork(slot);
    });
  }

  #fork(slot: Slot): void {
    // Each worker gets the primary's environment, with the --port/--host given on the command line.
    const worker = cluster.fork(this.#opts.env);
    slot.worker = worker;
    slot.startedAt = Date.now();
    worker.once('listening', (address: { port: number }) => this.#onListening(worker, address.port));
    worker.once('exit', (code: number | null, signal: string | null) =>
      this.#onExit(slot, worker, code, signal),
    );
  }

  #onListening(worker: Worker, port: number): void {
    const pid = worker.process.pid;
    if (this.#state !== 'starting') {
      this.#notice(`gatehouse: worker ${worker.id} (pid ${pid}) serving in place of the one that exited`);
      return;
    }
    this.#notice(`gatehouse: worker ${worker.id} (pid ${pid}) serving`);
    if (++this.#listening < this.#slots.length) return;
    this.#state = 'running';
    announceListening(this.#opts.config, port, this.#firstRun, this.#notice);
  }

  #onExit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker === worker) slot.worker = null;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const who = `gatehouse: worker ${worker.id} (pid ${worker.process.pid})`;
    if (this.#state === 'stopping') {
      // A worker still starting has no handler yet: our SIGTERM ends it, which is no failure.
      if (code !== 0 && signal !== 'SIGTERM') this.#exitCode = 1;
      this.#finishWhenEmpty();
    } else if (this.#state === 'starting') {
      // A worker that cannot start (port taken, store unreachable) will not start the next time
      // either: fail the whole start, as one process would, rather than retry forever.
      this.#notice(`${who} ${how} before it served; stopping`);
      this.#stop(1);
    } else {
      const delay = slot.backoff.next(Date.now() - slot.startedAt);
      this.#notice(`${who} ${how}; starting another in ${delay} ms`);
      slot.restart = setTimeout(() => {
        slot.restart = undefined;
        if (this.#state === 'running') this.#fork(slot);
      }, delay);
    }
  }

  #stop(exitCode: number): void {
    if (this.#state === 'stopping') return;
    this.#state = 'stopping';
    this.#exitCode = exitCode;
    for (const slot of this.#slots) {
      clearTimeout(slot.restart);
      // Each worker's own handler drains it: in-flight requests finish, then its stores close.
      slot.worker?.process.kill('SIGTERM');
    }
    this.#deadline = setTimeout(() => {
      this.#exitCode = 1;
      for (const slot of this.#slots) slot.worker?.process.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    this.#finishWhenEmpty();
  }

  #finishWhenEmpty(): void {
    if (this.#slots.some((slot) => slot.worker !== null)) return;
    clearTimeout(this.#deadline);
    process.off('SIGTERM', this.#onSignal);
    process.off('SIGINT', this.#onSignal);
    this.#done(this.#exitCode);
  }
}
