/**
 * HAProxy (Debian's `haproxy`) in front of several `gatehouse serve` instances, as a deployment
 * runs them: round-robin per request, `X-Forwarded-For` added, and each instance trusting only
 * the proxy's address. The proxy connects to the instances from 127.0.0.2, while clients come
 * from 127.0.0.1, so an instance that took the connection's address instead of the forwarded
 * one would be seen doing so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { tempProject } from '../helpers/temp.js';

/** The address HAProxy connects to the instances from: what their `trustProxy` names. */
export const PROXY_ADDRESS = '127.0.0.2';
/** The response header naming the instance that answered (HAProxy's server name). */
export const SERVED_BY = 'x-served-by';

/** The haproxy binary: GATEHOUSE_TEST_HAPROXY, else Debian's, else the first on PATH. */
export function findHaproxy(): string | null {
  const candidates = [
    process.env['GATEHOUSE_TEST_HAPROXY'],
    '/usr/sbin/haproxy',
    ...(process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, 'haproxy')),
  ];
  for (const path of candidates) {
    if (!path) continue;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  return null;
}

export interface Balancer {
  /** Where clients call: the proxy's frontend. */
  url: string;
  /** The name HAProxy gives each backend URL, in order (`gh1`, `gh2`, …), as in {@link SERVED_BY}. */
  names: string[];
  /** What HAProxy printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** A port the kernel just handed out and took back: free unless another process grabs it first. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function config(port: number, backends: readonly string[]): string {
  const servers = backends.map((url, i) => {
    const { hostname, port: p } = new URL(url);
    return `  server gh${i + 1} ${hostname}:${p} source ${PROXY_ADDRESS}`;
  });
  return [
    'global',
    '  nbthread 1',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 60s',
    // The client's address in X-Forwarded-For: what `trustProxy` makes an instance read.
    '  option forwardfor',
    'frontend gatehouse',
    `  bind 127.0.0.1:${port}`,
    '  default_backend instances',
    'backend instances',
    '  balance roundrobin',
    `  http-response set-header ${SERVED_BY} %[srv_name]`,
    ...servers,
    '',
  ].join('\n');
}

/** Starts HAProxy in front of `backends` (instance URLs); resolves once it proxies a request. */
export async function startHaproxy(binary: string, backends: readonly string[]): Promise<Balancer> {
  let lastError: unknown;
  // The port is chosen before HAProxy binds it: another process may take it in between, so a
  // bind failure is retried on a new one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      return await launch(binary, port, backends);
    } catch (err) {
      lastError = err;
      if (!/cannot bind|Address already in use/i.test(String(err))) throw err;
    }
  }
  throw lastError;
}

async function launch(binary: string, port: number, backends: readonly string[]): Promise<Balancer> {
  const file = join(tempProject(), 'haproxy.cfg');
  writeFileSync(file, config(port, backends));
  // -db: stay in the foreground, logs on stderr; -W would fork a master we would have to track.
  const child: ChildProcess = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not proxy /healthz within 15 s: ${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, names: backends.map((_, i) => `gh${i + 1}`), output: () => out, stop };
}
