/**
 * The program each worker of `gatehouse serve --workers` runs (cluster.fork() executes this
 * file; nothing imports it). It loads the config as the primary did, from the same working
 * directory, environment and config file (`process.argv[2]`), so it sees the same settings and
 * the application's own stores; then it serves on the port the workers share.
 */
import cluster from 'node:cluster';
import { loadProject } from '../config-file.js';
import { startServer } from '../serve.js';

const id = cluster.worker?.id;

async function runWorker(): Promise<void> {
  const project = await loadProject({ cwd: process.cwd(), env: process.env, configPath: process.argv[2] });
  await startServer({ ...project, env: process.env, worker: id });
}

if (!cluster.isWorker) {
  process.stderr.write(
    'gatehouse: this file is started by `gatehouse serve --workers`, not run on its own\n',
  );
  process.exit(2);
}

runWorker().catch((err: unknown) => {
  // The primary sees the exit and says what it does next; the reason is this worker's to give.
  process.stderr.write(`gatehouse: worker ${id}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
